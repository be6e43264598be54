// Chapter 04 in one include: coroutines, tasks, sleep, gather, timeouts, task groups, run,
// locks and queues.
#pragma once

#include "aio/as_completed.hpp"
#include "aio/awaitable.hpp"
#include "aio/coroutine.hpp"
#include "aio/futures.hpp"
#include "aio/gather_tasks.hpp"
#include "aio/locks.hpp"
#include "aio/queues.hpp"
#include "aio/runners.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "aio/task_group.hpp"
#include "aio/timeouts.hpp"
