#!/bin/sh
exec "${srcdir:-.}/conformance/store.sh" test_store
