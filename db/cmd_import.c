/* db/cmd_import.c - placeholder until the module lands (being written now). */
#include "common/cmd.h"
#include "common/util.h"
const char cmd_import_usage[] = "usage: virtbench import\n";
int cmd_import(int argc, char **argv, struct vb_ctx *ctx)
{
	(void)argc; (void)argv; (void)ctx;
	return vb_error("import: not built yet") ? 1 : 1;
}
