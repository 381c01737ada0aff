// SPDX-License-Identifier: MIT
// `breachsim serve`: the live page for seminars, over HTTP with Boost.Beast. One thread accepts
// connections (and answers 503 when the queue is full); a few answer them, one request each;
// the runs behind the answers go one at a time through live::Runner. Everything written goes
// in one temporary folder, removed when SIGINT or SIGTERM stops the server.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "cli/live_levers.hpp"
#include "cli/live_page.hpp"
#include "cli/live_runner.hpp"

namespace breachsim::cli {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// Requests answered at once beyond the runs waiting their turn (--queue) and the one running:
// a page without a run, or a refusal, need not wait behind the runs.
constexpr std::size_t spare_threads = 2;
constexpr std::size_t waiting_connections = 64;  // accepted, for a thread to answer; more get 503
constexpr int socket_timeout_seconds = 10;  // a client that stops sending or reading is dropped

// The folder every file of the server goes in; removed with everything in it on the way out.
class PrivateFolder {
 public:
  PrivateFolder() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/breachsim-serve-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      throw std::runtime_error("cannot make a temporary folder like " + pattern + ": " + std::strerror(errno));
    path_ = pattern;
  }
  ~PrivateFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  PrivateFolder(const PrivateFolder&) = delete;
  PrivateFolder& operator=(const PrivateFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Connections accepted and not yet answered, at most `capacity` of them.
class ConnectionQueue {
 public:
  explicit ConnectionQueue(std::size_t capacity) : capacity_(capacity) {}
  bool try_push(tcp::socket& socket) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || waiting_.size() >= capacity_) return false;
    waiting_.push_back(std::move(socket));
    ready_.notify_one();
    return true;
  }
  std::optional<tcp::socket> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !waiting_.empty(); });
    if (closed_) return std::nullopt;
    tcp::socket socket = std::move(waiting_.front());
    waiting_.pop_front();
    return socket;
  }
  void close() {
    const std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    waiting_.clear();
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<tcp::socket> waiting_;
  std::size_t capacity_;
  bool closed_ = false;
};

using Response = http::response<http::string_body>;

Response html_response(http::status status, std::string body) {
  Response res{status, 11};
  res.set(http::field::server, "breachsim");
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  // The page needs nothing from anywhere: its style and one line of script are inline, its
  // plots data: URIs. The browser is told so, and refuses anything else.
  res.set("Content-Security-Policy",
          "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
          "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.keep_alive(false);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

struct Site {
  const std::vector<live::LiveScenario>& scenarios;
  live::Runner& runner;
};

// The page for a query: the form, and the comparison it asks for (or why there is none).
Response page_for(const Site& site, const std::string& query) {
  live::PageView view;
  view.scenarios = &site.scenarios;
  if (query.empty()) return html_response(http::status::ok, render_page(view));
  try {
    view.query = live::decode_query(query);
    const live::Levers levers = live::read_levers(view.query, site.scenarios);
    view.results = site.runner.results(levers);
    return html_response(http::status::ok, render_page(view));
  } catch (const live::LeverError& e) {
    view.error = e.what();
    return html_response(http::status::bad_request, render_page(view));
  } catch (const live::RunFailed& e) {
    view.error = e.what();
    Response res = html_response(
        e.unavailable() ? http::status::service_unavailable : http::status::internal_server_error, render_page(view));
    if (e.unavailable()) res.set(http::field::retry_after, "5");
    return res;
  } catch (const std::exception& e) {  // a full disk under the temporary folder, and the like
    view.error = std::string("the run could not be made: ") + e.what();
    return html_response(http::status::internal_server_error, render_page(view));
  }
}

Response respond(const Site& site, const http::request<http::string_body>& req) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    Response res = html_response(http::status::method_not_allowed,
                                 live::render_message("Method not allowed", "The page answers GET (and HEAD) only."));
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  const std::string target(req.target());
  const std::size_t mark = target.find('?');
  const std::string path = target.substr(0, mark);
  if (path == "/favicon.ico") return html_response(http::status::no_content, "");
  if (path != "/")
    return html_response(http::status::not_found,
                         live::render_message("Not found", "There is one page here, at /; " + path + " is not it."));
  return page_for(site, mark == std::string::npos ? "" : target.substr(mark + 1));
}

// Ends the connections of clients that stop sending their request, or reading the answer,
// for socket_timeout_seconds: asio's blocking reads and writes wait past SO_RCVTIMEO, and a
// silent client would hold an answering thread for ever. One slot per answering thread; a
// socket is shut down only while its slot names it, so never one its thread has closed.
class Watchdog {
 public:
  explicit Watchdog(std::size_t threads) : slots_(threads) {}
  void watch(std::size_t slot, tcp::socket& socket) {
    const std::lock_guard<std::mutex> lock(mutex_);
    slots_[slot] = {socket.native_handle(),
                    std::chrono::steady_clock::now() + std::chrono::seconds(socket_timeout_seconds)};
  }
  void forget(std::size_t slot) {
    const std::lock_guard<std::mutex> lock(mutex_);
    slots_[slot].fd = -1;
  }
  void bite() {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (Slot& s : slots_)
      if (s.fd >= 0 && now > s.deadline) {
        ::shutdown(s.fd, SHUT_RDWR);  // the blocked read or write returns with an error
        s.fd = -1;
      }
  }

 private:
  struct Slot {
    int fd = -1;
    std::chrono::steady_clock::time_point deadline;
  };
  std::mutex mutex_;
  std::vector<Slot> slots_;
};

void answer(const Site& site, Watchdog& watchdog, std::size_t slot, tcp::socket& socket) {
  const auto start = std::chrono::steady_clock::now();
  boost::beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(16 * 1024);
  boost::system::error_code ec;
  watchdog.watch(slot, socket);
  http::read(socket, buffer, parser, ec);
  watchdog.forget(slot);  // the run, if any, has its own time limit
  if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
      ec == net::error::shut_down || ec == net::error::not_connected)
    return;  // gone, or silent past the timeout: nobody to answer
  Response res = ec ? html_response(http::status::bad_request,
                                    live::render_message("Bad request", "That was not an HTTP request the page "
                                                                        "can read: " + ec.message()))
                    : respond(site, parser.get());
  if (!ec && parser.get().method() == http::verb::head) res.body().clear();  // Content-Length stays the GET's
  watchdog.watch(slot, socket);
  boost::system::error_code written;
  http::write(socket, res, written);
  watchdog.forget(slot);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::clog << "breachsim serve: " << (written ? "(not delivered: " + written.message() + ") " : "")
            << res.result_int() << " "
            << (parser.is_header_done() ? std::string(parser.get().target()) : std::string("-")) << " in "
            << static_cast<int>(seconds * 1000) << " ms\n";
}

// Answers connections from `queue` until it closes.
void answer_connections(const Site& site, Watchdog& watchdog, std::size_t slot, ConnectionQueue& queue) {
  while (std::optional<tcp::socket> socket = queue.pop()) answer(site, watchdog, slot, *socket);
}

// Lets the watchdog bite twice a second until the server stops.
void patrol(net::steady_timer& timer, Watchdog& watchdog, const bool& stopping) {
  timer.expires_after(std::chrono::milliseconds(500));
  timer.async_wait([&](const boost::system::error_code& ec) {
    if (ec || stopping) return;
    watchdog.bite();
    patrol(timer, watchdog, stopping);
  });
}

void refuse_busy(tcp::socket& socket) {
  Response res = html_response(http::status::service_unavailable,
                               live::render_message("Busy", "Too many requests are waiting for their runs; try again "
                                                            "in a few seconds."));
  res.set(http::field::retry_after, "5");
  boost::system::error_code ec;
  // Written from the accepting thread: a few hundred bytes, which the socket's buffer takes
  // whole, so a client that does not read cannot block it.
  http::write(socket, res, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

void accept_next(tcp::acceptor& acceptor, ConnectionQueue& queue) {
  acceptor.async_accept([&](boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;  // closed: stopping
    if (!ec && !queue.try_push(socket)) refuse_busy(socket);  // a flood: 64 connections unanswered
    accept_next(acceptor, queue);
  });
}

live::RunnerSettings runner_settings(const ServeOptions& o, const fs::path& configs) {
  live::RunnerSettings s;
  s.program = fs::read_symlink("/proc/self/exe");
  s.script = configs.parent_path() / "scripts" / "breachsim_live.py";
  std::error_code ec;
  if (!fs::is_regular_file(s.script, ec))
    throw std::runtime_error("the page needs " + s.script.string() + ", which is missing: reinstall breachsim");
  const char* python = std::getenv("BREACHSIM_PYTHON");
  s.python = python && *python ? python : "/usr/bin/python3";
  if (::access(s.python.c_str(), X_OK) != 0)
    throw std::runtime_error("the page's plots need Python 3 with h5py, pandas and matplotlib, and " + s.python +
                             " is not there: run scripts/setup.sh, or name an interpreter in BREACHSIM_PYTHON");
  s.time_limit = std::chrono::seconds(o.time_limit_seconds);
  s.max_replications = o.max_replications;
  s.queue = o.queue;
  return s;
}

tcp::acceptor listen(net::io_context& io, const ServeOptions& o) {
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(o.bind, ec);
  if (ec) throw UsageError("--bind " + o.bind + ": not an IP address (" + ec.message() + ")", "serve");
  tcp::acceptor acceptor(io);
  const tcp::endpoint at(address, static_cast<unsigned short>(o.port));
  acceptor.open(at.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(at, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + o.bind + " port " + std::to_string(o.port) + ": " + ec.message() +
                             (ec == net::error::address_in_use ? " (another server has it: --port another, or 0)" : ""));
  return acceptor;
}

}  // namespace

int serve_command(const ServeOptions& o) {
  // A browser that closes its connection early must not end the server (the children get the
  // default back: live::Runner resets it when it starts them).
  std::signal(SIGPIPE, SIG_IGN);
  const fs::path configs = models::shipped_configs();
  const std::vector<live::LiveScenario> scenarios = live::live_scenarios(configs, o.max_replications);
  const live::RunnerSettings settings = runner_settings(o, configs);
  net::io_context io;
  tcp::acceptor acceptor = listen(io, o);
  const PrivateFolder folder;
  live::Runner runner(folder.path(), settings, scenarios);
  const Site site{scenarios, runner};
  ConnectionQueue queue(waiting_connections);

  net::steady_timer timer(io);
  bool stopping = false;  // read and written on this thread only (the io_context's)

  net::signal_set stop_signals(io, SIGINT, SIGTERM);
  stop_signals.async_wait([&](const boost::system::error_code&, int) {
    stopping = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    timer.cancel();
    queue.close();
    runner.stop();
  });
  std::vector<std::thread> answering;
  const std::size_t answering_threads = static_cast<std::size_t>(o.queue) + 1 + spare_threads;
  Watchdog watchdog(answering_threads);
  for (std::size_t i = 0; i < answering_threads; ++i)
    answering.emplace_back([&, i] { answer_connections(site, watchdog, i, queue); });
  accept_next(acceptor, queue);
  patrol(timer, watchdog, stopping);
  const tcp::endpoint at = acceptor.local_endpoint();
  const std::string host = at.address().is_v6() ? "[" + at.address().to_string() + "]" : at.address().to_string();
  std::cout << "breachsim: serving http://" << host << ":" << at.port() << "/ (Ctrl-C stops)" << std::endl;
  io.run();
  for (std::thread& t : answering) t.join();
  std::clog << "breachsim serve: stopped; removed " << folder.path().string() << "\n";
  return 0;
}

}  // namespace breachsim::cli
