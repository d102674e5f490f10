/* db/cmd_export.c - placeholder until the module lands (being written now). */
#include "common/cmd.h"
#include "common/util.h"
const char cmd_export_usage[] = "usage: virtbench export\n";
int cmd_export(int argc, char **argv, struct vb_ctx *ctx)
{
	(void)argc; (void)argv; (void)ctx;
	return vb_error("export: not built yet") ? 1 : 1;
}
