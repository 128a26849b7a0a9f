// UvHandle<H>: owns one heap-allocated libuv handle (ARCHITECTURE §7). The raw handle never
// moves; the only way out after a successful init is uv_close, and the memory is freed in the
// close callback; a handle that was never initialised is simply freed. reset() clears `data`,
// so a callback that arrives after the owner is gone sees nullptr and returns.
#pragma once

#include <uv.h>

#include <utility>

namespace runtime {

template <typename H>
class UvHandle {
 public:
  UvHandle() : h_(new H{}) {}
  ~UvHandle() { reset(); }
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;

  H* get() const { return h_; }
  uv_handle_t* handle() const { return reinterpret_cast<uv_handle_t*>(h_); }
  explicit operator bool() const { return h_ != nullptr; }

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
