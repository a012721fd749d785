/*
 * aws_error.c - AWS's error code and message from an error reply, in
 * whatever form it came:
 *
 *	JSON   {"__type": "com.amazonaws.dynamodb.v20120810#Code",
 *	        "message": "..."}      (code after the last '#', before ':')
 *	XML    <Error><Code>...</Code><Message>...</Message></Error>
 *	       (auth failures, moto's and AWS's 403s)
 *	other  a proxy's HTML, an empty body: "HTTP <status>"
 *
 * The message goes into logs and replies, so it is cut short and stripped
 * of control characters; AWS never echoes a request's payload in it.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "aws.h"

/* Copy at most LEN - 1 printable bytes of SRC[0..N) into DST. */
static void
aws_error_copy(char *dst, size_t len, const char *src, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < len; i++)
		dst[j++] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
		    ' ' : src[i];
	dst[j] = '\0';
}

static int
aws_error_json(const char *body, char *code, size_t code_len, char *msg,
    size_t msg_len)
{
	json_t *j = json_loads(body, 0, NULL), *m;
	const char *type = json_string_value(json_object_get(j, "__type")), *c;
	size_t n;

	if (type == NULL) {
		json_decref(j);
		return 0;
	}
	c = strrchr(type, '#') ? strrchr(type, '#') + 1 : type;
	n = strcspn(c, ":");
	aws_error_copy(code, code_len, c, n);
	if ((m = json_object_get(j, "message")) == NULL)
		m = json_object_get(j, "Message");
	if (json_is_string(m))
		aws_error_copy(msg, msg_len, json_string_value(m),
		    json_string_length(m));
	json_decref(j);
	return 1;
}

/* The text of the first <TAG>...</TAG> in BODY into DST. */
static int
aws_error_xml_tag(const char *body, const char *tag, char *dst, size_t len)
{
	char open[32], close[32];
	const char *s, *e;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((s = strstr(body, open)) == NULL)
		return 0;
	s += strlen(open);
	if ((e = strstr(s, close)) == NULL)
		return 0;
	aws_error_copy(dst, len, s, (size_t)(e - s));
	return 1;
}

void
aws_error_parse(long status, const char *body, char *code, size_t code_len,
    char *msg, size_t msg_len)
{
	code[0] = msg[0] = '\0';
	if (body == NULL)
		body = "";
	if (aws_error_json(body, code, code_len, msg, msg_len) ||
	    aws_error_xml_tag(body, "Code", code, code_len)) {
		if (msg[0] == '\0')
			aws_error_xml_tag(body, "Message", msg, msg_len);
		return;
	}
	snprintf(msg, msg_len, "HTTP %ld with a body that is not an AWS error",
	    status);
}
