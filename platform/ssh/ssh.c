/*
 * platform/ssh/ssh.c - the SSH runner (see ssh.h) on libssh 0.10.
 *
 * Trust model: the server's host key must match a key known before the
 * connection (the guest's key virtbench generated and put in its seed) or
 * an entry of a known_hosts file (ssh platform). Unknown, changed or
 * "other type" keys are all refused; nothing is ever added to known_hosts.
 *
 * Exec: one channel per command, polled in short slices so that a deadline
 * and the collector's stop flag are honoured; the command also runs under
 * the remote timeout(1) so that it does not outlive a local timeout.
 * Aborting a command kills its remote process group from a second
 * channel: OpenSSH refuses "signal" channel requests in root sessions
 * ("session signalling requires privilege separation"), so without that
 * a stopped benchmark would run on until its timeout(1) fired.
 */
#include "platform/ssh/ssh.h"
#include "platform/platform.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Seconds a blocking libssh call may take once connected. */
#define VBSSH_OP_TIMEOUT 120L

struct vbssh {
	ssh_session session;
	char *where; /* user@host:port, for messages */
	double idle; /* vbssh_set_idle_timeout(); 0 = none */
};

void vbssh_set_idle_timeout(struct vbssh *s, double seconds)
{
	if (s)
		s->idle = seconds > 0 ? seconds : 0;
}

const char *vbssh_version(void)
{
	return ssh_version(0);
}

void vbssh_close(struct vbssh *s)
{
	if (!s)
		return;
	if (s->session) {
		ssh_disconnect(s->session);
		ssh_free(s->session);
	}
	free(s->where);
	free(s);
}

/* Compares the server's key with "TYPE BASE64 [comment]". */
static int vbssh_key_matches(ssh_key srv, const char *line, char **why)
{
	char *type = xstrndup(line, strcspn(line, " \t"));
	const char *b64 = line + strlen(type);
	char *b64d;
	ssh_key exp = NULL;
	int ok = 0;

	b64 += strspn(b64, " \t");
	b64d = xstrndup(b64, strcspn(b64, " \t\n"));
	if (ssh_pki_import_pubkey_base64(b64d, ssh_key_type_from_name(type),
					 &exp) != SSH_OK) {
		*why = xasprintf("expected host key is not a valid %s key", type);
		goto out;
	}
	if (ssh_key_cmp(srv, exp, SSH_KEY_CMP_PUBLIC) == 0)
		ok = 1;
	else
		*why = xstrdup("host key mismatch: the server's key is not the "
			       "expected one (refusing to connect)");
out:
	ssh_key_free(exp);
	free(type);
	free(b64d);
	return ok;
}

static int vbssh_verify(struct vbssh *s, const struct vbssh_opts *o, char **why)
{
	ssh_key srv = NULL;
	int ok = 0;

	if (ssh_get_server_publickey(s->session, &srv) != SSH_OK) {
		*why = xasprintf("cannot get host key of %s: %s", s->where,
				 ssh_get_error(s->session));
		return 0;
	}
	if (o->host_key) {
		ok = vbssh_key_matches(srv, o->host_key, why);
	} else {
		enum ssh_known_hosts_e k = ssh_session_is_known_server(s->session);

		switch (k) {
		case SSH_KNOWN_HOSTS_OK:
			ok = 1;
			break;
		case SSH_KNOWN_HOSTS_CHANGED:
			*why = xasprintf("host key of %s changed: it does not "
					 "match known_hosts (refusing to connect)",
					 s->where);
			break;
		case SSH_KNOWN_HOSTS_OTHER:
			*why = xasprintf("host key of %s is of a type known_hosts "
					 "does not list for it (refusing to connect)",
					 s->where);
			break;
		case SSH_KNOWN_HOSTS_UNKNOWN:
		case SSH_KNOWN_HOSTS_NOT_FOUND:
			*why = xasprintf("host %s is not in %s: add its key first "
					 "(ssh-keyscan, checked out of band); no "
					 "trust on first use", s->where,
					 o->known_hosts ? o->known_hosts :
					 "~/.ssh/known_hosts");
			break;
		default:
			*why = xasprintf("cannot check known_hosts for %s: %s",
					 s->where, ssh_get_error(s->session));
		}
	}
	ssh_key_free(srv);
	return ok;
}

int vbssh_connect(const struct vbssh_opts *o, struct vbssh **out, char **why)
{
	struct vbssh *s = xcalloc(1, sizeof(*s));
	const char *user = o->user ? o->user : "root";
	unsigned int port = o->port > 0 ? (unsigned int)o->port : 22;
	long tmo = o->timeout > 0 ? (long)(o->timeout + 0.999) : 10;
	int off = 0, ret = VBSSH_RETRY, r;
	ssh_key key = NULL;

	*out = NULL;
	*why = NULL;
	s->where = xasprintf("%s@%s:%u", user, o->host, port);
	s->session = ssh_new();
	if (!s->session) {
		*why = xstrdup("cannot create an SSH session");
		goto out;
	}
	ssh_options_set(s->session, SSH_OPTIONS_HOST, o->host);
	ssh_options_set(s->session, SSH_OPTIONS_PORT, &port);
	ssh_options_set(s->session, SSH_OPTIONS_USER, user);
	ssh_options_set(s->session, SSH_OPTIONS_TIMEOUT, &tmo);
	/* Reproducible: ~/.ssh/config must not change where we connect. */
	ssh_options_set(s->session, SSH_OPTIONS_PROCESS_CONFIG, &off);
	if (o->proxy_command)
		ssh_options_set(s->session, SSH_OPTIONS_PROXYCOMMAND,
				o->proxy_command);
	if (o->host_key) {
		/* Ask only for the type we know, so the server cannot offer
		 * another key we would have to refuse. */
		char *type = xstrndup(o->host_key, strcspn(o->host_key, " \t"));

		ssh_options_set(s->session, SSH_OPTIONS_HOSTKEYS, type);
		free(type);
	} else {
		if (o->known_hosts)
			ssh_options_set(s->session, SSH_OPTIONS_KNOWNHOSTS,
					o->known_hosts);
		/* Only the file we were given, not /etc/ssh/ssh_known_hosts. */
		ssh_options_set(s->session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
				"/dev/null");
	}
	if (ssh_connect(s->session) != SSH_OK) {
		*why = xasprintf("cannot connect to %s: %s", s->where,
				 ssh_get_error(s->session));
		goto out;
	}
	if (!vbssh_verify(s, o, why)) {
		ret = VBSSH_HOSTKEY;
		goto out;
	}
	if (o->identity) {
		if (ssh_pki_import_privkey_file(o->identity, NULL, NULL, NULL,
						&key) != SSH_OK) {
			*why = xasprintf("cannot read private key %s", o->identity);
			ret = VBSSH_HOSTKEY;
			goto out;
		}
		r = ssh_userauth_publickey(s->session, NULL, key);
	} else {
		r = ssh_userauth_publickey_auto(s->session, NULL, NULL);
	}
	if (r != SSH_AUTH_SUCCESS) {
		*why = xasprintf("public key authentication as %s failed: %s",
				 s->where, ssh_get_error(s->session));
		goto out;
	}
	/* The connect timeout paces a caller's retries; once connected, a
	 * channel open on a very slow server (a guest nested under TCG on a
	 * busy host: sshd forks and runs PAM for each) may take longer, and
	 * libssh fails it with no message when that timeout passes. */
	{
		long op = tmo > VBSSH_OP_TIMEOUT ? tmo : VBSSH_OP_TIMEOUT;

		ssh_options_set(s->session, SSH_OPTIONS_TIMEOUT, &op);
	}
	*out = s;
	s = NULL;
	ret = VBSSH_OK;
out:
	ssh_key_free(key);
	vbssh_close(s);
	return ret;
}

static int vbssh_drain(ssh_channel ch, int is_stderr, struct sb *sb)
{
	char buf[16384];
	int n;

	while ((n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf),
						 is_stderr)) > 0)
		sb_add(sb, buf, (size_t)n);
	return n == SSH_ERROR ? -1 : 0;
}

/* The pid the command line printed first ("PID\n", see vbssh_exec), or
 * 0 while it has not arrived. */
static long vbssh_leading_pid(const struct sb *out)
{
	size_t n = 0;

	while (n < out->len && n < 12 && out->buf[n] >= '0' && out->buf[n] <= '9')
		n++;
	if (n == 0 || n >= out->len || out->buf[n] != '\n')
		return 0;
	return strtol(out->buf, NULL, 10);
}

/*
 * Kills the process group of the command running on ch: waits up to 10 s
 * for its pid line (a command aborted at once may not have started yet on
 * a loaded server; without its pid it cannot be found later), then
 * runs "kill -KILL -- -PID" on a channel of its own. sshd makes every
 * exec session a session and process group of its own (setsid), led by
 * the shell that printed the pid, so the benchmark and its children die
 * together; a descendant that left the group is not found.
 */
static void vbssh_kill_group(struct vbssh *s, ssh_channel ch, struct sb *out)
{
	double t0 = vb_mono_time();
	ssh_channel k;
	long pid;
	char cmd[64];

	while (!(pid = vbssh_leading_pid(out)) && vb_mono_time() - t0 < 10 &&
	       !ssh_channel_is_eof(ch) &&
	       ssh_channel_poll_timeout(ch, 100, 0) != SSH_ERROR)
		vbssh_drain(ch, 0, out);
	if (pid <= 1) {
		/* Honoured by servers that allow it (not OpenSSH for root). */
		ssh_channel_request_send_signal(ch, "KILL");
		return;
	}
	snprintf(cmd, sizeof(cmd), "kill -KILL -- -%ld 2>/dev/null", pid);
	k = ssh_channel_new(s->session);
	if (k && ssh_channel_open_session(k) == SSH_OK &&
	    ssh_channel_request_exec(k, cmd) == SSH_OK) {
		t0 = vb_mono_time();
		while (!ssh_channel_is_eof(k) && !ssh_channel_is_closed(k) &&
		       vb_mono_time() - t0 < 3 &&
		       ssh_channel_poll_timeout(k, 100, 0) != SSH_ERROR) {
			struct sb junk = SB_INIT;

			vbssh_drain(k, 0, &junk);
			vbssh_drain(k, 1, &junk);
			sb_release(&junk);
		}
	}
	if (k) {
		ssh_channel_close(k);
		ssh_channel_free(k);
	}
}

int vbssh_exec(struct vbssh *s, const char *ctx, const char *cmd,
	       double timeout, const volatile int *stop, struct exec_result *r)
{
	struct sb out = SB_INIT, err = SB_INIT, full = SB_INIT;
	char *fail = NULL; /* the transport error, handed back in r->err */
	ssh_channel ch = NULL;
	double t0 = vb_mono_time(), last = t0; /* last: when bytes came */
	size_t seen = 0;
	int ret = -1, status;

	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	sb_init(&out);
	sb_init(&err);
	{
		/* First the shell's pid, the process group to kill when the
		 * command is aborted (stripped from the output); exec keeps
		 * it. The remote timeout(1) kills what a local deadline
		 * abandons if the connection is gone; it fires a little later
		 * so the local deadline decides. */
		char *q = shell_quote(cmd);

		sb_adds(&full, "echo $$; exec ");
		if (timeout > 0)
			sb_addf(&full, "timeout -k 2 %.0f ", timeout + 2);
		sb_addf(&full, "sh -c %s", q);
		free(q);
	}
	ch = ssh_channel_new(s->session);
	if (!ch || ssh_channel_open_session(ch) != SSH_OK ||
	    ssh_channel_request_exec(ch, full.buf) != SSH_OK) {
		fail = xasprintf("cannot run a command over ssh (%s): %s",
				 s->where, ssh_get_error(s->session));
		goto out;
	}
	for (;;) {
		int n = ssh_channel_poll_timeout(ch, 100, 0);

		if (n == SSH_ERROR) {
			fail = xasprintf("ssh connection to %s lost: %s",
					 s->where, ssh_get_error(s->session));
			goto out;
		}
		if (vbssh_drain(ch, 0, &out) < 0 || vbssh_drain(ch, 1, &err) < 0) {
			fail = xasprintf("ssh read from %s failed: %s",
					 s->where, ssh_get_error(s->session));
			goto out;
		}
		if (n == SSH_EOF || ssh_channel_is_eof(ch) ||
		    ssh_channel_is_closed(ch))
			break;
		if (out.len + err.len != seen) {
			seen = out.len + err.len;
			last = vb_mono_time();
		}
		if (s->idle > 0 && vb_mono_time() - last > s->idle)
			r->stalled = 1;
		if ((timeout > 0 && vb_mono_time() - t0 > timeout) ||
		    (stop && *stop) || r->stalled) {
			r->timed_out = 1;
			vbssh_kill_group(s, ch, &out);
			break;
		}
	}
	if (!r->timed_out) {
		vbssh_drain(ch, 1, &err);
		ssh_channel_send_eof(ch);
		status = ssh_channel_get_exit_status(ch);
		r->exit_status = status >= 0 ? status : -1;
	}
	ret = 0;
out:
	if (ch) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	r->duration = vb_mono_time() - t0;
	if (vbssh_leading_pid(&out)) {
		size_t skip = (size_t)(strchr(out.buf, '\n') - out.buf) + 1;

		memmove(out.buf, out.buf + skip, out.len - skip + 1);
		out.len -= skip;
	}
	r->out = sb_detach(&out);
	if (fail) {
		vb_error("%s: %s", ctx, fail);
		sb_release(&err);
		r->err = fail;
	} else {
		r->err = sb_detach(&err);
	}
	sb_release(&full);
	return ret;
}

struct vbssh_bg {
	ssh_channel ch;
};

struct vbssh_bg *vbssh_bg_start(struct vbssh *s, const char *cmd,
				double timeout, char **line, char **why)
{
	struct sb out = SB_INIT, err = SB_INIT;
	struct vbssh_bg *b = xcalloc(1, sizeof(*b));
	double t0 = vb_mono_time();

	*line = *why = NULL;
	b->ch = ssh_channel_new(s->session);
	if (!b->ch || ssh_channel_open_session(b->ch) != SSH_OK ||
	    ssh_channel_request_exec(b->ch, cmd) != SSH_OK) {
		*why = xasprintf("cannot run a command over ssh (%s): %s",
				 s->where, ssh_get_error(s->session));
		goto fail;
	}
	for (;;) {
		int n = ssh_channel_poll_timeout(b->ch, 100, 0);
		char *nl;

		if (n == SSH_ERROR || vbssh_drain(b->ch, 0, &out) < 0 ||
		    vbssh_drain(b->ch, 1, &err) < 0) {
			*why = xasprintf("ssh connection to %s lost: %s", s->where,
					 ssh_get_error(s->session));
			goto fail;
		}
		if (out.len && (nl = memchr(out.buf, '\n', out.len))) {
			*line = xstrndup(out.buf, (size_t)(nl - out.buf));
			break;
		}
		if (n == SSH_EOF || ssh_channel_is_eof(b->ch) ||
		    vb_mono_time() - t0 > timeout) {
			while (err.len && err.buf[err.len - 1] == '\n')
				err.buf[--err.len] = '\0';
			*why = err.len ? sb_detach(&err) :
			       xstrdup(n == SSH_EOF || ssh_channel_is_eof(b->ch) ?
				       "exited without output" : "no output in time");
			goto fail;
		}
	}
	sb_release(&out);
	sb_release(&err);
	return b;
fail:
	sb_release(&out);
	sb_release(&err);
	vbssh_bg_stop(b);
	return NULL;
}

void vbssh_bg_stop(struct vbssh_bg *b)
{
	double t0 = vb_mono_time();

	if (!b)
		return;
	if (b->ch) {
		ssh_channel_send_eof(b->ch);
		while (!ssh_channel_is_eof(b->ch) && !ssh_channel_is_closed(b->ch) &&
		       vb_mono_time() - t0 < 3 &&
		       ssh_channel_poll_timeout(b->ch, 100, 0) != SSH_ERROR) {
			struct sb junk = SB_INIT;

			vbssh_drain(b->ch, 0, &junk);
			vbssh_drain(b->ch, 1, &junk);
			sb_release(&junk);
		}
		ssh_channel_close(b->ch);
		ssh_channel_free(b->ch);
	}
	free(b);
}

int vbssh_put(struct vbssh *s, const char *ctx, const char *local,
	      const char *remote, int mode)
{
	sftp_session sftp = NULL;
	sftp_file f = NULL;
	int fd = -1, ret = -1;
	char buf[32768];
	ssize_t n;

	fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vb_error("%s: cannot open %s: %s", ctx, local, strerror(errno));
	sftp = sftp_new(s->session);
	if (!sftp || sftp_init(sftp) != SSH_OK) {
		vb_error("%s: cannot start sftp on %s: %s", ctx, s->where,
			 ssh_get_error(s->session));
		goto out;
	}
	f = sftp_open(sftp, remote, O_WRONLY | O_CREAT | O_TRUNC, (mode_t)mode);
	if (!f) {
		vb_error("%s: cannot create %s on %s: %s", ctx, remote, s->where,
			 ssh_get_error(s->session));
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = sftp_write(f, buf + off, (size_t)(n - off));

			if (w <= 0) {
				vb_error("%s: cannot write %s on %s: %s", ctx,
					 remote, s->where, ssh_get_error(s->session));
				goto out;
			}
			off += w;
		}
	}
	if (n < 0) {
		vb_error("%s: cannot read %s: %s", ctx, local, strerror(errno));
		goto out;
	}
	/* The remote umask applies at creation; set the exact mode. */
	if (sftp_chmod(sftp, remote, (mode_t)mode) < 0) {
		vb_error("%s: cannot chmod %s on %s: %s", ctx, remote, s->where,
			 ssh_get_error(s->session));
		goto out;
	}
	ret = 0;
out:
	if (f)
		sftp_close(f);
	if (sftp)
		sftp_free(sftp);
	close(fd);
	return ret;
}

int vbssh_keygen(const char *comment, const char *priv_path, char **priv_pem,
		 char **pub_line)
{
	ssh_key key = NULL;
	char *b64 = NULL, *pem = NULL;
	int ret = -1;

	*priv_pem = *pub_line = NULL;
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK)
		return vb_error("cannot generate an ed25519 key");
	if (ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &pem) != SSH_OK ||
	    ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) {
		vb_error("cannot export the generated ed25519 key");
		goto out;
	}
	if (priv_path && vb_write_file_atomic(priv_path, pem, strlen(pem), 0600) < 0)
		goto out;
	*priv_pem = xstrdup(pem);
	*pub_line = xasprintf("ssh-ed25519 %s %s", b64, comment ? comment : "virtbench");
	ret = 0;
out:
	if (pem) {
		/* Do not leave private key material in freed memory. */
		explicit_bzero(pem, strlen(pem));
		ssh_string_free_char(pem);
	}
	ssh_string_free_char(b64);
	ssh_key_free(key);
	return ret;
}
