# Trace: gather of three sleeps. The order of events that CPython prints, which
# traces_test.cpp (GatherSleeps) compares with the C++ twin of this program.
#
# gather() makes a task of each coroutine at once, in argument order: their first steps run
# in the next iteration, in that order, before main's own step that sleep(0) queued behind
# them. They wake shortest sleep first; the results come back in argument order; the gather's
# done callback, added before main awaits it, runs before main wakes up.
#
# Output: one line per step, no times, so that it is the same on every run and every machine.
# Regenerate the expected output with ./course traces --write (python3 3.11 or newer).
import asyncio


async def sleeper(name, delay):
    print(f"{name}: starts, sleeps {delay}")
    await asyncio.sleep(delay)
    print(f"{name}: wakes up")
    return name


async def main():
    print("main: gather(c 0.3, a 0.1, b 0.2)")
    gathering = asyncio.gather(sleeper("c", 0.3), sleeper("a", 0.1), sleeper("b", 0.2))
    gathering.add_done_callback(lambda _: print("gather: done callback"))
    print("main: sleep(0)")
    await asyncio.sleep(0)
    print("main: awaits the gather")
    results = await gathering
    print("main: results " + " ".join(results))


asyncio.run(main())
