#!/bin/sh
exec "${srcdir:-.}/conformance/store.sh" store_fs
