// Chapter 03 in one include: futures, run_until_complete, Deferred, gather, wait, executor.
#pragma once

#include "aio/deferred.hpp"
#include "aio/errors.hpp"
#include "aio/executor.hpp"
#include "aio/future.hpp"
#include "aio/gather.hpp"
#include "aio/outcome.hpp"
#include "aio/run_until_complete.hpp"
#include "aio/wait.hpp"
