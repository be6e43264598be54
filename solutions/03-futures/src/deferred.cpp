#include "aio/deferred.hpp"

#include "aio/not_implemented.hpp"

namespace aio {

std::string Failure::message() const {
  try {
    std::rethrow_exception(error_);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

namespace detail {

// region: deferred_state
class DeferredState : public std::enable_shared_from_this<DeferredState> {
 public:
  explicit DeferredState(EventLoop& loop) : loop_(&loop) {}
  ~DeferredState();

  void fire(std::any result);
  void add(Deferred::Step callback, Deferred::Step errback);

  bool called = false;
  int paused = 0;  // > 0 while waiting for a Deferred that a step returned
  std::any result;

 private:
  struct Link {
    Deferred::Step callback;
    Deferred::Step errback;
  };

  void run_callbacks();
  void wait_for(const Deferred& inner);

  EventLoop* loop_;
  std::deque<Link> chain_;
  bool running_ = false;  // inside run_callbacks: a step that adds a link must not recurse
};
// endregion

// region: unhandled
DeferredState::~DeferredState() {
  // Twisted logs "Unhandled error in Deferred" when a Deferred whose result is a Failure is
  // garbage-collected: nobody will ever handle it.
  const auto* failure = std::any_cast<Failure>(&result);
  if (failure == nullptr) return;
  try {
    loop_->call_exception_handler({"Unhandled error in Deferred", failure->exception(), nullptr});
  } catch (...) {
  }
}
// endregion

// region: fire
void DeferredState::fire(std::any first) {
  // EXERCISE 3.5: a Deferred's chain
  // Fire once (a second time: AlreadyCalledError "Deferred already fired"), then run the
  // chain with `first` as its result.
  if (called) throw AlreadyCalledError("Deferred already fired");
  if (first.type() == typeid(Deferred)) {  // Twisted asserts the same
    throw std::invalid_argument("a Deferred cannot be fired with another Deferred as its result");
  }
  called = true;
  result = std::move(first);
  run_callbacks();
  // END EXERCISE
}
// endregion

// region: add
void DeferredState::add(Deferred::Step callback, Deferred::Step errback) {
  chain_.push_back({std::move(callback), std::move(errback)});
  if (called) run_callbacks();
}
// endregion

// region: run_callbacks
void DeferredState::run_callbacks() {
  // EXERCISE 3.5: run the chain
  // While links remain and nothing pauses the chain: take the first link; call its errback
  // if the result holds a Failure, else its callback; what it returns is the new result, and
  // what it throws becomes a Failure. A returned Deferred: wait_for() it.
  // Guard against re-entry (running_): a step may add links, or fire an inner Deferred that
  // resumes this chain; the loop that is already running picks the work up.
  if (running_) return;
  running_ = true;
  while (!chain_.empty() && paused == 0) {
    Link link = std::move(chain_.front());
    chain_.pop_front();
    const bool failed = std::any_cast<Failure>(&result) != nullptr;
    Deferred::Step& step = failed ? link.errback : link.callback;
    try {
      result = step(std::move(result));
    } catch (...) {
      result = Failure(std::current_exception());
    }
    if (const auto* inner = std::any_cast<Deferred>(&result)) wait_for(*inner);
  }
  running_ = false;
  // END EXERCISE
}
// endregion

// region: wait_for
void DeferredState::wait_for(const Deferred& inner) {
  // EXERCISE 3.5: pause for a returned Deferred
  // Pause (paused++), then chain onto `inner` a step that takes inner's result as ours,
  // unpauses and runs our chain again, and leaves inner with an empty result (None). If inner
  // has already fired, that step runs at once. A Deferred that waits for itself would never
  // resume: a Failure holding std::logic_error instead.
  const Deferred waited = inner;  // `inner` lives in `result`, which changes below
  if (waited.state_.get() == this) {
    result = Failure(std::make_exception_ptr(std::logic_error("a Deferred returned itself")));
    return;
  }
  result.reset();
  ++paused;
  Deferred::Step resume = [outer = shared_from_this()](std::any inner_result) -> std::any {
    outer->result = std::move(inner_result);
    --outer->paused;
    outer->run_callbacks();
    return {};
  };
  waited.add_callbacks(resume, resume);
  // END EXERCISE
}
// endregion

}  // namespace detail

// ---- the handle ----------------------------------------------------------------------------

Deferred::Deferred(EventLoop& loop) : state_(std::make_shared<detail::DeferredState>(loop)) {}

void Deferred::callback(std::any result) const {
  state_->fire(std::move(result));
}

void Deferred::errback(std::exception_ptr error) const {
  state_->fire(Failure(std::move(error)));
}

const Deferred& Deferred::add_callbacks(Step callback, Step errback) const {
  state_->add(std::move(callback), std::move(errback));
  return *this;
}

bool Deferred::called() const noexcept {
  return state_->called;
}
bool Deferred::paused() const noexcept {
  return state_->paused > 0;
}
const std::any& Deferred::result() const noexcept {
  return state_->result;
}

}  // namespace aio
