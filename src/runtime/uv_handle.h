// UvHandle<H>: owns one heap-allocated libuv handle (ARCHITECTURE §7). The raw handle never
// moves; the only way out after a successful init is uv_close, and the memory is freed in the
// close callback; a handle whose init failed (or never ran) is simply freed, since libuv never
// took it. reset() clears `data`, so a callback that arrives after the owner is gone sees
// nullptr and returns. uv_status() turns any libuv return code into a util::Status.
#pragma once

#include <uv.h>

#include <string>
#include <utility>

#include "util/result.h"

namespace runtime {

// OK for 0, else an io error "what: <libuv's text>".
inline util::Status uv_status(const std::string& what, int rc) {
  if (rc == 0) return {};
  return util::Error{util::Errc::io, what + ": " + uv_strerror(rc)};
}

template <typename H>
class UvHandle {
 public:
  UvHandle() : h_(new H{}) {}
  ~UvHandle() { reset(); }
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;

  // Runs `init_fn(loop, handle, args...)` (uv_timer_init, uv_tcp_init, uv_signal_init, ...) and
  // points the handle's `data` at `owner`. On failure the handle is freed here, get() becomes
  // nullptr, and the error says `what` failed and why.
  template <typename InitFn, typename... Args>
  util::Status init(const char* what, InitFn init_fn, uv_loop_t* loop, void* owner,
                    Args... args) {
    if (!h_) return util::Error{util::Errc::io, std::string(what) + ": handle already released"};
    const int rc = init_fn(loop, h_, args...);
    if (rc != 0) {
      delete std::exchange(h_, nullptr);  // libuv unlinks a handle whose init failed
      return uv_status(what, rc);
    }
    h_->data = owner;
    return {};
  }

  H* get() const { return h_; }
  uv_handle_t* handle() const { return reinterpret_cast<uv_handle_t*>(h_); }
  explicit operator bool() const { return h_ != nullptr; }
  // Initialised and not yet closed: libuv calls may be made on it.
  [[nodiscard]] bool live() const {
    return h_ != nullptr && h_->type != UV_UNKNOWN_HANDLE && !uv_is_closing(handle());
  }

  void reset() noexcept {
    if (!h_) return;
    h_->data = nullptr;
    H* h = std::exchange(h_, nullptr);
    if (h->type == UV_UNKNOWN_HANDLE) {  // never initialised (start-up failed first): not libuv's
      delete h;
      return;
    }
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(h))) return;  // a close is already under way
    uv_close(reinterpret_cast<uv_handle_t*>(h), [](uv_handle_t* raw) { delete reinterpret_cast<H*>(raw); });
  }

 private:
  H* h_;
};

// Recovers the owner from handle->data inside a captureless libuv callback.
template <typename Owner, typename H>
Owner* owner_of(H* h) {
  return static_cast<Owner*>(h->data);
}

}  // namespace runtime
