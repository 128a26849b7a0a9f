// TestLoop: see test_loop.h.
#include "test_loop.h"

namespace runtime_test {

namespace {

struct Guard {
  uv_timer_t timer{};
  bool fired = false;
};

// Starts a one-shot guard timer that stops the loop; `keep_alive` false makes it unref'd, so
// it bounds a run without being what keeps the loop running.
Guard* start_guard(uv_loop_t* loop, std::chrono::milliseconds limit, bool keep_alive) {
  auto* g = new Guard;
  uv_timer_init(loop, &g->timer);
  g->timer.data = g;
  uv_timer_start(&g->timer, [](uv_timer_t* t) {
    static_cast<Guard*>(t->data)->fired = true;
    uv_stop(t->loop);
  }, static_cast<std::uint64_t>(limit.count()), 0);
  if (!keep_alive) uv_unref(reinterpret_cast<uv_handle_t*>(&g->timer));
  return g;
}

void stop_guard(Guard* g) {
  uv_close(reinterpret_cast<uv_handle_t*>(&g->timer),
           [](uv_handle_t* h) { delete static_cast<Guard*>(h->data); });
}

}  // namespace

TestLoop::TestLoop() { open_ = uv_loop_init(&loop_) == 0; }

TestLoop::~TestLoop() {
  if (open_) close();
}

bool TestLoop::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  Guard* guard = start_guard(&loop_, limit, true);
  bool ok = done();
  while (!ok && !guard->fired) {
    uv_run(&loop_, UV_RUN_ONCE);
    ok = done();
  }
  stop_guard(guard);
  uv_run(&loop_, UV_RUN_NOWAIT);  // let the guard's close callback run
  return ok;
}

bool TestLoop::close(std::chrono::milliseconds limit) {
  if (!open_) return false;
  Guard* guard = start_guard(&loop_, limit, false);
  uv_run(&loop_, UV_RUN_DEFAULT);
  stop_guard(guard);
  uv_run(&loop_, UV_RUN_NOWAIT);
  if (uv_loop_close(&loop_) == 0) {
    open_ = false;
    return true;
  }
  // Something was left open: close it all so that the failing test does not leak.
  uv_walk(&loop_, [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  }, nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  open_ = uv_loop_close(&loop_) != 0;
  return false;
}

}  // namespace runtime_test
