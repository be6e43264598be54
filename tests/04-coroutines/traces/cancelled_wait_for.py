# Trace: wait_for, cancelled. The order of events that CPython prints, which
# traces_test.cpp (CancelledWaitFor) compares with the C++ twin.
#
# 1. wait_for(coroutine, 0.1) times out: the coroutine gets CancelledError at its await, cleans
#    up (which takes one more trip through the loop), and only then is TimeoutError raised.
# 2. The same with a task: it ends cancelled.
# 3. wait_for(coroutine, 0): the coroutine never starts.
# 4. The task that waits in wait_for(coroutine, 10) is itself cancelled: the coroutine is
#    cancelled with it, cleans up, and the waiting task ends cancelled (no TimeoutError).
# The steps printed are the same whether wait_for wraps a coroutine in a task (Python 3.11) or
# runs it inline in a timeout scope (3.12 and later, and the C++ course).
#
# Output: one line per step, no times. Regenerate the expected output with
# ./course traces --write (python3 3.11 or newer).
import asyncio


async def slow(name):
    print(f"{name}: starts")
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(f"{name}: cancelled, cleans up")
        await asyncio.sleep(0)
        print(f"{name}: cleaned up")
        raise
    print(f"{name}: finished")


async def main():
    try:
        await asyncio.wait_for(slow("coroutine"), 0.1)
    except TimeoutError:
        print("main: TimeoutError for the coroutine")

    task = asyncio.create_task(slow("task"))
    try:
        await asyncio.wait_for(task, 0.1)
    except TimeoutError:
        print(f"main: TimeoutError for the task, cancelled {task.cancelled()}")

    try:
        await asyncio.wait_for(slow("never"), 0)
    except TimeoutError:
        print("main: TimeoutError at once")

    waiter = asyncio.create_task(asyncio.wait_for(slow("inner"), 10))
    await asyncio.sleep(0.1)
    print("main: cancels the waiter")
    waiter.cancel()
    try:
        await waiter
    except asyncio.CancelledError:
        print(f"main: the waiter ended cancelled {waiter.cancelled()}")


asyncio.run(main())
