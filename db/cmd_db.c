/* db/cmd_db.c - placeholder until the module lands (being written now). */
#include "common/cmd.h"
#include "common/util.h"
const char cmd_db_usage[] = "usage: virtbench db\n";
int cmd_db(int argc, char **argv, struct vb_ctx *ctx)
{
	(void)argc; (void)argv; (void)ctx;
	return vb_error("db: not built yet") ? 1 : 1;
}
