/*
 * platform/ssh/ssh.h - the SSH runner shared by the libvirt guests and the ssh
 * platform, on libssh: connect with a deadline, verify the server's host
 * key strictly (against a key known in advance, or a known_hosts file;
 * never trust on first use), authenticate with a key, run commands on exec
 * channels with a timeout and their exit status, copy files with SFTP.
 *
 * Names are prefixed vbssh_ because libssh owns ssh_.
 */
#ifndef VB_PLATFORM_SSH_SSH_H
#define VB_PLATFORM_SSH_SSH_H

struct exec_result;
struct vbssh;

/* How to reach and trust a server. Strings are borrowed. */
struct vbssh_opts {
	const char *host;
	int port;                 /* 0 = 22 */
	const char *user;         /* NULL = root */
	const char *identity;     /* private key file; NULL = agent and the
				   * user's default keys */
	const char *host_key;     /* expected host key "TYPE BASE64 [comment]";
				   * when NULL, known_hosts decides */
	const char *known_hosts;  /* file; NULL = ~/.ssh/known_hosts */
	double timeout;           /* per connection attempt, seconds; 0 = 10 */
	const char *proxy_command; /* reach host through this command's stdio
				    * (a jump host); NULL = connect directly */
};

/* Outcome classes of vbssh_connect(), so a caller waiting for a booting
 * guest retries what may go away and gives up at once on what will not. */
enum {
	VBSSH_OK = 0,
	VBSSH_RETRY = -1,     /* not reachable / not ready yet (or auth) */
	VBSSH_HOSTKEY = -2,   /* host key mismatch or unknown: refused */
};

/* Connects, verifies the host key, authenticates. Returns VBSSH_OK with
 * *out (owned, vbssh_close()), or a negative class with *why (owned) set
 * to a one-line reason; prints nothing, the caller decides whether the
 * failure is final. */
int vbssh_connect(const struct vbssh_opts *o, struct vbssh **out, char **why);

/* Closes and frees; accepts NULL. */
void vbssh_close(struct vbssh *s);

/* Runs cmd (a shell command line, already quoted; run by sh -c) with a
 * timeout in seconds (0 = none). Returns 0 when the command ran (r holds
 * its output, exit status, and timed_out), negative on a transport
 * failure (reported with ctx, e.g. the platform name, and also left in
 * r->err). *stop, when not NULL, is polled: setting it aborts the command
 * like a timeout. An aborted command's remote process group is killed
 * before this returns; if the connection is lost instead, the remote
 * timeout(1) ends it timeout + 2 s after its start. */
int vbssh_exec(struct vbssh *s, const char *ctx, const char *cmd,
	       double timeout, const volatile int *stop, struct exec_result *r);

/* From now on vbssh_exec() also aborts a command that prints nothing
 * (neither stdout nor stderr) for seconds (0: never), as it aborts one
 * that times out, and sets r->stalled: a peer that stopped answering
 * (a hung guest) ends in minutes, not at the command's timeout. */
void vbssh_set_idle_timeout(struct vbssh *s, double seconds);

/* Starts cmd on a channel of its own and leaves it running once it has
 * printed its first line (*line, owned, without the newline) within
 * timeout seconds. NULL with *why (owned: cmd's stderr or the transport
 * error) otherwise. cmd's stdin stays open until vbssh_bg_stop(), the
 * connection's end or this process's death closes it: a command that
 * waits for EOF on stdin and then stops its work leaves nothing behind,
 * even after a SIGKILL here. */
struct vbssh_bg;
struct vbssh_bg *vbssh_bg_start(struct vbssh *s, const char *cmd,
				double timeout, char **line, char **why);
/* Closes cmd's stdin, waits up to 3 s for it to exit, frees; NULL ok. */
void vbssh_bg_stop(struct vbssh_bg *b);

/* Copies the local file to remote with mode over SFTP. Reported. */
int vbssh_put(struct vbssh *s, const char *ctx, const char *local,
	      const char *remote, int mode);

/* Generates an Ed25519 key pair: the private key (OpenSSH format) into
 * *priv_pem and the public key line "ssh-ed25519 BASE64 comment" into
 * *pub_line (both owned). When priv_path is not NULL the private key is
 * also written there with mode 0600. Reported. */
int vbssh_keygen(const char *comment, const char *priv_path, char **priv_pem,
		 char **pub_line);

/* The libssh version string, for provenance. */
const char *vbssh_version(void);

#endif
