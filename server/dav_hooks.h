/* dav_hooks.h - CalDAV writes to booking calendars go to the booking
 * engine (dav_hooks.c). */
#ifndef SRV_DAV_HOOKS_H
#define SRV_DAV_HOOKS_H

#include "dav.h"

/* The hooks server/ gives caldav/: stateless, shared by every request. */
extern const struct dav_hooks srv_dav_hooks;

#endif
