# Trace: producers and consumers over a bounded asyncio.Queue. The order of events that
# CPython prints, which traces_test.cpp (ProducerConsumer) compares with the C++ twin.
#
# No timers at all: every step is decided by the ready queue, so the exact interleaving of
# put(), get(), the waiters a full or empty queue wakes, task_done() and join() is checked.
# At the end main cancels the two consumers, which wait in get(), and gathers them with
# return_exceptions.
#
# Output: one line per step. Regenerate the expected output with ./course traces --write
# (python3 3.11 or newer).
import asyncio


async def producer(queue, name, count):
    for i in range(1, count + 1):
        item = f"{name}{i}"
        print(f"{name}: put {item}, size {queue.qsize()}")
        await queue.put(item)
        print(f"{name}: put {item} done, size {queue.qsize()}")
    print(f"{name}: finished")


async def consumer(queue, name):
    while True:
        item = await queue.get()
        print(f"{name}: got {item}, size {queue.qsize()}")
        await asyncio.sleep(0)
        print(f"{name}: task_done {item}")
        queue.task_done()


async def main():
    queue = asyncio.Queue(maxsize=2)
    consumers = [asyncio.create_task(consumer(queue, name)) for name in ("c1", "c2")]
    await asyncio.gather(producer(queue, "a", 3), producer(queue, "b", 3))
    print("main: producers finished")
    await queue.join()
    print("main: join returned")
    for task in consumers:
        task.cancel()
    outcomes = await asyncio.gather(*consumers, return_exceptions=True)
    print("main: consumers ended with " + " ".join(type(o).__name__ for o in outcomes))


asyncio.run(main())
