/*
 * systemd's notification protocol at shutdown: exeunt_notify().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "internal.h"

#include <errno.h>

int
exeunt_notify(int enable)
{
	(void)enable;
	return ENOSYS;
}
