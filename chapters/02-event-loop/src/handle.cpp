#include "aio/handle.hpp"

#include <cxxabi.h>

#include <cstdlib>

#include "aio/timer_queue.hpp"

namespace aio {

std::string readable_type_name(const std::type_info& type) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string name = status == 0 && demangled != nullptr ? demangled : type.name();
  std::free(demangled);
  return name;
}

std::string Handle::name() const {
  if (!name_.empty()) return name_;
  // Demangled only when a report needs it: call_soon() stays cheap.
  return callback_ ? readable_type_name(callback_.target_type()) : "<no callback>";
}

// region: timer_cancel
void TimerHandle::cancel() {
  if (cancelled()) return;
  Handle::cancel();
  if (queue_ != nullptr) queue_->note_cancelled();
}
// endregion

}  // namespace aio
