/* SPDX-License-Identifier: MIT */
/* memhp/memhp.h - everything of libmemhp. */
#ifndef MEMHP_MEMHP_H
#define MEMHP_MEMHP_H

#include "parse.h"
#include "notifier.h"
#include "engine.h"
#include "inject.h"
#include "pool.h"

#endif /* MEMHP_MEMHP_H */
