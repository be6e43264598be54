# Trace: take_your_time as a task, on a loop driven by hand. The order of events that
# CPython prints, which traces_test.cpp (TakeYourTime) compares with the C++ twin.
#
# create_task queues the task's first step; a call_soon made after it runs after it. The
# task's done callbacks run in the order they were added: ours, then run_until_complete's,
# which stops the loop. A callback queued in that last iteration is not lost: it waits in the
# ready queue and runs first when the loop runs again.
#
# Output: one line per step, no times. Regenerate the expected output with
# ./course traces --write (python3 3.11 or newer).
import asyncio


async def take_your_time():
    print("take_your_time: starts, sleeps 0.1")
    await asyncio.sleep(0.1)
    print("take_your_time: returns 42")
    return 42


def on_done(task):
    print(f"done callback: result {task.result()}")
    task.get_loop().call_soon(print, "call_soon from the done callback")


loop = asyncio.new_event_loop()
task = loop.create_task(take_your_time())
print(f"main: task created, done {task.done()}")
task.add_done_callback(on_done)
loop.call_soon(print, "call_soon made after create_task")
print("main: run_until_complete(task)")
result = loop.run_until_complete(task)
print(f"main: run_until_complete returned {result}")
print("main: run_until_complete(sleep(0))")
loop.run_until_complete(asyncio.sleep(0))
print("main: the loop stopped again")
loop.close()
