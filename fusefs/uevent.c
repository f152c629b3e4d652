// SPDX-License-Identifier: MIT
/*
 * fusefs/uevent.c - uevent environments, the kernel's netlink message, the stream's text form and
 * the synthetic uevent parser (see uevent.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "uevent.h"

void mhpfs_uevent_env_init(struct mhpfs_uevent_env *env)
{
	env->nr = 0;
	env->len = 0;
	env->buf[0] = '\0';
}

int mhpfs_uevent_env_add(struct mhpfs_uevent_env *env, const char *fmt, ...)
{
	size_t room = sizeof(env->buf) - env->len;
	va_list ap;
	int n;

	if (env->nr >= MHPFS_UEVENT_NUM_ENVP)
		return -ENOMEM;
	va_start(ap, fmt);
	n = vsnprintf(env->buf + env->len, room, fmt, ap);
	va_end(ap);
	/* as add_uevent_var(): the string and its NUL must fit */
	if (n < 0 || (size_t)n >= room) {
		/* undo a truncated string; a full buffer has no byte left to clear */
		if (room)
			env->buf[env->len] = '\0';
		return -ENOMEM;
	}
	env->len += (size_t)n + 1;
	env->nr++;
	return 0;
}

const char *mhpfs_uevent_env_next(const struct mhpfs_uevent_env *env, const char *prev)
{
	const char *p;

	if (!prev)
		return env->nr ? env->buf : NULL;
	p = prev + strlen(prev) + 1;
	return p < env->buf + env->len ? p : NULL;
}

const char *mhpfs_uevent_env_get(const struct mhpfs_uevent_env *env, const char *key)
{
	size_t kl = strlen(key);

	for (const char *s = mhpfs_uevent_env_next(env, NULL); s; s = mhpfs_uevent_env_next(env, s))
		if (!strncmp(s, key, kl) && s[kl] == '=')
			return s + kl + 1;
	return NULL;
}

/*
 * The kernel's isalnum(): its ctype table (lib/ctype.c) classifies the Latin-1 letters
 * 0xc0-0xd6, 0xd8-0xf6 and 0xf8-0xff as letters, so a SYNTH_ARG may carry them; the C library's
 * isalnum() in the "C" locale would refuse them.
 */
static bool k_isalnum(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c >= 0xc0 && c != 0xd7 && c != 0xf7;
}

static bool k_isxdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool uuid_valid(const char *s)
{
	for (int i = 0; i < MHPFS_UUID_STRING_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!k_isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

/* A non-empty alphanumeric run from @p that stops at @delim or after @end; NULL otherwise. */
static const char *word_end(const char *p, const char *end, char delim)
{
	const char *q = p;

	while (q <= end && *q != delim)
		if (!k_isalnum((unsigned char)*q++))
			return NULL;
	return q == p ? NULL : q;
}

/* " UUID [KEY=VALUE ...]" after the action word (kobject_action_args()). */
static int parse_args(const char *buf, size_t count, struct mhpfs_uevent_env *keys)
{
	const char *p, *end, *key, *val;

	if (count && (buf[count - 1] == '\n' || buf[count - 1] == '\0'))
		count--;
	if (count < MHPFS_UUID_STRING_LEN || !uuid_valid(buf))
		return -EINVAL;
	if (mhpfs_uevent_env_add(keys, "SYNTH_UUID=%.*s", MHPFS_UUID_STRING_LEN, buf))
		return -EINVAL;
	p = buf + MHPFS_UUID_STRING_LEN;
	end = buf + count - 1;
	while (p <= end) {
		if (*p != ' ')
			return -EINVAL;
		key = ++p;
		if (key > end)
			return -EINVAL;
		p = word_end(key, end, '=');
		if (!p || p > end || *p != '=')
			return -EINVAL;
		val = ++p;
		if (val > end)
			return -EINVAL;
		p = word_end(val, end, ' ');
		if (!p)
			return -EINVAL;
		/* an environment overflow is "incorrect arguments" too, as in the kernel */
		if (mhpfs_uevent_env_add(keys, "SYNTH_ARG_%.*s=%.*s", (int)(val - 1 - key), key,
					 (int)(p - val), val))
			return -EINVAL;
	}
	return 0;
}

int mhpfs_uevent_synth_parse(const char *buf, size_t count, struct mhpfs_uevent_synth *ret)
{
	struct mhpfs_uevent_synth s;
	size_t n = count, first;
	const char *args = NULL;
	int action = -1;

	if (n && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	if (!n)
		return -EINVAL;
	/* strnchr(): the search for the space stops at a NUL */
	for (first = 0; first < n && buf[first]; first++)
		if (buf[first] == ' ')
			break;
	if (first < n && buf[first] == ' ')
		args = buf + first + 1;
	else
		first = n;
	for (int a = 0; a < MHP_KOBJ_MAX; a++) {
		const char *name = mhp_uevent_action_name(a);

		if (strlen(name) == first && !memcmp(name, buf, first)) {
			action = a;
			break;
		}
	}
	if (action < 0)
		return -EINVAL;

	s.action = action;
	mhpfs_uevent_env_init(&s.keys);
	if (!args) {
		if (mhpfs_uevent_env_add(&s.keys, "SYNTH_UUID=0"))
			return -EINVAL;
	} else {
		/* the arguments get the untrimmed remainder, as the kernel passes it */
		int r = parse_args(args, count - (size_t)(args - buf), &s.keys);

		if (r)
			return r;
	}
	*ret = s;
	return 0;
}

int mhpfs_uevent_env_build(const struct mhp_uevent *ev, const struct mhpfs_uevent_env *extra,
			   struct mhpfs_uevent_env *ret)
{
	const char *action = mhp_uevent_action_name(ev->action);
	const char *subsys = mhp_subsystem_name(ev->subsystem);
	char devpath[128];
	int r;

	if (!action || !subsys || mhp_uevent_devpath(ev, devpath, sizeof(devpath)) < 0)
		return -EINVAL;
	mhpfs_uevent_env_init(ret);
	r = mhpfs_uevent_env_add(ret, "ACTION=%s", action);
	r = r ?: mhpfs_uevent_env_add(ret, "DEVPATH=%s", devpath);
	r = r ?: mhpfs_uevent_env_add(ret, "SUBSYSTEM=%s", subsys);
	if (extra)
		for (const char *s = mhpfs_uevent_env_next(extra, NULL); s && !r;
		     s = mhpfs_uevent_env_next(extra, s))
			r = mhpfs_uevent_env_add(ret, "%s", s);
	r = r ?: mhpfs_uevent_env_add(ret, "SEQNUM=%llu", (unsigned long long)ev->seqnum);
	return r;
}

ssize_t mhpfs_uevent_format_netlink(const struct mhpfs_uevent_env *env, char *buf, size_t len)
{
	const char *action = mhpfs_uevent_env_get(env, "ACTION");
	const char *devpath = mhpfs_uevent_env_get(env, "DEVPATH");
	int n;

	if (!action || !devpath)
		return -EINVAL;
	n = snprintf(buf, len, "%s@%s", action, devpath);
	if (n < 0 || (size_t)n + 1 + env->len > len)
		return -ENOSPC;
	memcpy(buf + n + 1, env->buf, env->len);
	return (ssize_t)(n + 1 + env->len);
}

ssize_t mhpfs_uevent_format_text(const struct mhpfs_uevent_env *env, char *buf, size_t len)
{
	ssize_t n = mhpfs_uevent_format_netlink(env, buf, len);

	if (n < 0)
		return n;
	/* the NULs become newlines; one more newline ends the record */
	if ((size_t)n + 2 > len)
		return -ENOSPC;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '\n';
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return n + 1;
}
