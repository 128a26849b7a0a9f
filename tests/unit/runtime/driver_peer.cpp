// Peer: see driver_peer.h.
#include "driver_peer.h"

namespace runtime_test {

using namespace std::chrono_literals;

std::unique_ptr<Peer> Peer::start(uv_loop_t* loop, const std::string& name) {
  auto peer = std::make_unique<Peer>();
  serf::Config config;
  config.memberlist = swim::Config::lan();
  config.memberlist.name = name;
  config.memberlist.advertise = swim::Address{{127, 0, 0, 1}, 0};  // the bound port fills it in
  config.memberlist.probe_interval = 200ms;
  config.memberlist.gossip_interval = 20ms;
  config.broadcast_timeout = 500ms;
  config.leave_propagate_delay = 50ms;
  Peer* raw = peer.get();
  runtime::Driver::Callbacks callbacks{
      [raw](const serf::Event& e) {
        raw->events.push_back(e);
        if (raw->on_event) raw->on_event(e);
      },
      nullptr,
  };
  auto driver = runtime::Driver::start(loop, std::move(config), swim::Address{{127, 0, 0, 1}, 0},
                                       peer->log, std::move(callbacks));
  if (!driver.ok()) return nullptr;
  peer->driver = std::move(*driver);
  return peer;
}

swim::Address Peer::address() const { return {{127, 0, 0, 1}, driver->bound_port()}; }

bool Peer::sees(const std::string& name, serf::MemberStatus status) const {
  for (auto& m : driver->node().members())
    if (m.name == name) return m.status == status;
  return false;
}

const serf::UserEvent* Peer::user_event(const std::string& name) const {
  for (auto& e : events)
    if (auto* u = std::get_if<serf::UserEvent>(&e); u && u->name == name) return u;
  return nullptr;
}

}  // namespace runtime_test
