// Several `facekit serve` nodes over one PostgreSQL gallery, on loopback with
// private PostgreSQL servers (postgres_server.h):
//   - another node's enrollment and removal reach a node's index in place
//     (its /metrics: no rebuild), also when its change feed was cut and the
//     notification missed;
//   - two nodes in step: a face registered or a subject removed through one
//     is searchable (or gone) on the other within 1 s, also across a
//     PostgreSQL crash and restart with a write made while the nodes were
//     reconnecting (missed notifications caught up);
//   - a node reading a streaming replica that lags by 5 s never answers from
//     before its own acknowledged write (read-your-writes): a removed
//     subject is gone at once although the replica still holds them;
//   - three node processes behind HAProxy under a bounded load, one killed
//     with SIGKILL and restarted: every acknowledged enrollment is stored
//     exactly once, errors only for requests in flight on the killed node.
//   - --replica refused with the reason (passwords masked); the change feed
//     refused on a database without a gallery.
// Skips when PostgreSQL's server binaries, the models or haproxy are absent.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "facekit/change_feed.h"
#include "facekit/gallery.h"
#include "facekit/json.h"
#include "facekit/serve.h"
#include "postgres_server.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A committed aligned crop (no detection needed: detector_backend=skip).
std::string crop(const std::string& name) {
  return file_bytes(testing::source_dir() / "tests" / "golden" / "embed" / name);
}

// `png` with one pixel changed by `variant`: the same face, other bytes
// (another photo to the gallery, whose duplicate check is by content).
std::string variant_of(const std::string& png, int variant) {
  cv::Mat image = cv::imdecode(std::vector<uint8_t>(png.begin(), png.end()), cv::IMREAD_COLOR);
  image.at<cv::Vec3b>(0, 0) = cv::Vec3b(static_cast<uint8_t>(variant), static_cast<uint8_t>(variant >> 8), 7);
  std::vector<uint8_t> out;
  cv::imencode(".png", image, out);
  return std::string(out.begin(), out.end());
}

httplib::MultipartFormDataItems form(const std::string& image, const std::string& field) {
  return {{field, image, "face.png", "image/png"},
          {"model_name", "faceapi", "", ""},
          {"detector_backend", "skip", "", ""}};
}

// POST /register `name` with `image`; the HTTP status (0: no answer).
int register_face(httplib::Client& client, const std::string& name, const std::string& image) {
  auto items = form(image, "img");
  items.push_back({"img_name", name, "", ""});
  const auto result = client.Post("/register", items);
  return result ? result->status : 0;
}

struct Searched {
  int status = 0;  // 0: no answer
  std::vector<std::string> identities;  // among the candidates
  std::string body;
};

Searched search(httplib::Client& client, const std::string& image) {
  const auto result = client.Post("/search", form(image, "img"));
  if (!result) return {};
  Searched searched{result->status, {}, result->body};
  const Json answer = result->status == 200 ? Json::parse(result->body) : Json::object();
  if (result->status == 200)
    for (const Json& face : answer["facekit"]["faces"])
      for (const Json& c : face["candidates"]) searched.identities.push_back(c["identity"]);
  return searched;
}

bool found(httplib::Client& client, const std::string& image, const std::string& name) {
  const auto [status, names, body] = search(client, image);
  EXPECT_EQ(status, 200) << body;
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Polls `condition` every 20 ms for up to `limit`; whether it held.
bool within(std::chrono::milliseconds limit, const std::function<bool()>& condition) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    if (condition()) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

// A node in this process: a Server on a free loopback port, run on a thread.
class Node {
 public:
  explicit Node(const std::string& db, const std::string& replica = "") {
    ServeOptions o;
    o.port = 0;
    o.threads = 1;
    o.workers = 2;
    o.galleries = {db};
    if (!replica.empty()) o.replicas = {replica};
    server_ = std::make_unique<Server>(o, log_);
    thread_ = std::thread([this] { server_->run(); });
    client = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client->set_read_timeout(60, 0);
  }
  ~Node() {
    server_->stop();
    thread_.join();
  }
  std::unique_ptr<httplib::Client> client;

 private:
  std::ostringstream log_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

class ServeNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bindir_ = testing::PostgresServer::find_binaries();
    if (!bindir_) GTEST_SKIP() << "PostgreSQL's server binaries (initdb, postgres) are not installed";
    for (const char* id : {"faceapi-recognition"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
  }
  std::optional<std::filesystem::path> bindir_;
};

TEST_F(ServeNodesTest, WritesThroughOneNodeAreSearchedOnAnotherWithinASecond) {
  testing::PostgresServer postgres(*bindir_);
  const std::string db = postgres.create_schema("nodes");
  Node a(db), b(db);
  const std::string ann = crop("sample1-150.png"), bea = crop("sample3-150.png");
  ASSERT_EQ(register_face(*a.client, "Bea", bea), 200);  // someone to search among when Ann is gone
  ASSERT_EQ(register_face(*a.client, "Ann", ann), 200);
  EXPECT_TRUE(within(1s, [&] { return found(*b.client, ann, "Ann"); })) << "Ann, registered on a, not found on b";
  ASSERT_EQ(a.client->Delete("/api/v1/recognition/subjects/Ann")->status, 200);
  EXPECT_TRUE(within(1s, [&] { return !found(*b.client, ann, "Ann"); })) << "Ann, removed on a, still found on b";

  // A crash of the database: the nodes' connections and notifications are
  // lost; a write made while they reconnect is seen all the same.
  ASSERT_EQ(register_face(*b.client, "Ann", ann), 200);
  EXPECT_TRUE(within(1s, [&] { return found(*a.client, ann, "Ann"); }));
  postgres.kill_server();
  postgres.restart();
  Gallery(db).remove_person("Ann");
  EXPECT_TRUE(within(2s, [&] { return !found(*a.client, ann, "Ann") && !found(*b.client, ann, "Ann"); }))
      << "a write made during the reconnection was missed";
  ASSERT_EQ(register_face(*a.client, "Cy", ann), 200);  // writes work again through either node
  EXPECT_TRUE(within(1s, [&] { return found(*b.client, ann, "Cy"); }));
}

// A node's index counters (GET /metrics): builds over a whole gallery, updates in place.
struct IndexCounts {
  int builds = -1, in_place = -1;
};
IndexCounts index_counts(httplib::Client& client) {
  const auto result = client.Get("/metrics");
  IndexCounts counts;
  if (!result || result->status != 200) return counts;
  std::stringstream lines(result->body);
  for (std::string line; std::getline(lines, line);) {
    const auto value = [&] { return std::stoi(line.substr(line.rfind(' ') + 1)); };
    if (line.starts_with("facekit_index_builds_total ")) counts.builds = value();
    if (line.starts_with("facekit_index_updates_total{how=\"in_place\"} ")) counts.in_place = value();
  }
  return counts;
}

TEST_F(ServeNodesTest, AnotherNodesWritesUpdateTheIndexInPlace) {
  testing::PostgresServer postgres(*bindir_);
  const std::string db = postgres.create_schema("in_place");
  Node a(db), b(db);
  const std::string ann = crop("sample1-150.png"), bea = crop("sample3-150.png");
  ASSERT_EQ(register_face(*a.client, "Bea", bea), 200);
  ASSERT_TRUE(within(1s, [&] { return found(*b.client, bea, "Bea"); }));
  const IndexCounts built = index_counts(*b.client);
  ASSERT_EQ(built.builds, 1) << "b searched once: one index built";

  ASSERT_EQ(register_face(*a.client, "Ann", ann), 200);
  EXPECT_TRUE(within(1s, [&] { return found(*b.client, ann, "Ann"); })) << "Ann, registered on a, not found on b";
  ASSERT_EQ(a.client->Delete("/api/v1/recognition/subjects/Ann")->status, 200);
  EXPECT_TRUE(within(1s, [&] { return !found(*b.client, ann, "Ann"); })) << "Ann, removed on a, still found on b";
  EXPECT_TRUE(found(*b.client, bea, "Bea"));
  const IndexCounts updated = index_counts(*b.client);
  EXPECT_EQ(updated.builds, built.builds) << "b rebuilt its index instead of updating it";
  EXPECT_GE(updated.in_place, built.in_place + 2);
  // a's own writes are applied in place too, before they are acknowledged.
  EXPECT_EQ(index_counts(*a.client).builds, 0) << "a never searched";

  // Both nodes' change feeds cut (as a network fault would) while other
  // processes write: the missed notifications are caught up from the log.
  const std::string feeds =
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'SELECT sequence, (pg_current%'";
  EXPECT_NE(testing::postgres_query(db, feeds), "0");
  Gallery writer(db);
  PhotoEnrollment dan;
  dan.identity = "Dan";
  dan.file = dan.content_hash = "dan";
  dan.model = writer.models().front();
  const StoredVector bea_stored = writer.vectors(dan.model).front();
  dan.faces.push_back({bea_stored.box, bea_stored.vector, {}});  // Bea's face under another name
  writer.enroll({dan});
  EXPECT_TRUE(within(2s, [&] { return found(*b.client, bea, "Dan"); })) << "a write missed while the feed was cut";
  EXPECT_EQ(index_counts(*b.client).builds, built.builds);
}

TEST_F(ServeNodesTest, ALaggingReplicaNeverShowsWhatTheNodeRemoved) {
  testing::PostgresServer primary(*bindir_);
  const std::string db = primary.create_schema("replicated");
  Gallery{db};  // the schema exists before the replica is copied
  testing::PostgresServer replica(primary, 5000ms);
  const std::string replica_db = replica.uri("replicated");
  Node node(db, replica_db);
  const std::string ann = crop("sample1-150.png"), bea = crop("sample3-150.png");
  ASSERT_EQ(register_face(*node.client, "Bea", bea), 200);
  ASSERT_EQ(register_face(*node.client, "Ann", ann), 200);
  EXPECT_TRUE(found(*node.client, ann, "Ann")) << "read-your-writes: a registration not searched at once";
  // Wait until the replica has Ann, so that it is the replica that searches.
  ASSERT_TRUE(within(10s, [&] {
    return testing::postgres_query(replica_db, "SELECT count(*) FROM replicated.people") == "2";
  }));
  EXPECT_TRUE(found(*node.client, ann, "Ann"));
  ASSERT_EQ(node.client->Delete("/api/v1/recognition/subjects/Ann")->status, 200);
  // The replica still holds Ann (it lags by 5 s): a search that read it would find her.
  EXPECT_EQ(testing::postgres_query(replica_db, "SELECT count(*) FROM replicated.people"), "2");
  EXPECT_FALSE(found(*node.client, ann, "Ann")) << "a removed subject found after the removal was acknowledged";
  EXPECT_TRUE(found(*node.client, bea, "Bea"));
}

TEST(ServeReplicaOptionsTest, RefusedWithTheReasonAndNoPassword) {
  ServeOptions o;
  o.galleries = {"people.db", "staff=postgresql://u:secret@db/staff"};
  auto error_with = [&](std::vector<std::string> replicas) {
    o.replicas = std::move(replicas);
    return testing::error_of([&] { check_serve_options(o); });
  };
  EXPECT_EQ(error_with({"postgresql://u:secret@db2/staff"}),
            "--replica postgresql://u:***@db2/staff: gallery default is not on PostgreSQL: only a PostgreSQL gallery "
            "has replicas");
  EXPECT_EQ(error_with({"nobody=postgresql://db2/staff"}),
            "--replica nobody=postgresql://db2/staff: no gallery named nobody (--db [NAME=]LOCATION)");
  EXPECT_EQ(error_with({"staff=replica.db"}), "--replica staff=replica.db: a replica is a postgresql:// URI");
  EXPECT_EQ(error_with({"staff=postgresql://db2/staff", "staff=postgresql://db3/staff?password=secret"}),
            "--replica staff=postgresql://db3/staff?password=***: a second replica of gallery staff");
  EXPECT_EQ(error_with({"staff=postgresql://db2/staff"}), "");
}

TEST(ServeDbOptionsTest, RefusedWithTheReasonAndNoPassword) {
  ServeOptions o;
  o.galleries = {"staff=postgresql://u:secret@db/staff", "staff=postgresql://db/other?password=secret&user=u"};
  const std::string error = testing::error_of([&] { check_serve_options(o); });
  EXPECT_EQ(error, "--db staff=postgresql://db/other?password=***&user=u: a second gallery named staff");
  EXPECT_EQ(error.find("secret"), std::string::npos) << error;
  o.galleries = {"people=people.db", "people=postgresql://u:secret@db/people"};
  EXPECT_EQ(testing::error_of([&] { check_serve_options(o); }),
            "--db people=postgresql://u:***@db/people: a second gallery named people");
}

TEST_F(ServeNodesTest, TheChangeFeedNeedsAGallery) {
  testing::PostgresServer postgres(*bindir_);
  const std::string empty = postgres.create_schema("empty");
  EXPECT_EQ(testing::error_of([&] { install_change_feed(empty); }),
            empty + ": cannot install the change feed: it holds no facekit gallery");
  const std::string unreachable =
      testing::error_of([&] { install_change_feed("postgresql:///none?host=/nonexistent&password=secret"); });
  EXPECT_EQ(unreachable.rfind("postgresql:///none?host=/nonexistent&password=***: cannot connect: ", 0), 0u) << unreachable;
  EXPECT_EQ(unreachable.find("secret"), std::string::npos) << unreachable;
}

// A child process with its output appended to `log`, killed with SIGKILL when
// this process dies.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const pid_t child = fork();
  if (child == 0) {
    if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(126);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out);
  return child;
}

// A loopback port free a moment ago.
int free_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  bind(s, reinterpret_cast<sockaddr*>(&address), size);
  getsockname(s, reinterpret_cast<sockaddr*>(&address), &size);
  close(s);
  return ntohs(address.sin_port);
}

bool healthy(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(0, 200000);
  const auto result = client.Get("/health");
  return result && result->status == 200;
}

std::optional<std::string> haproxy_binary() {
  for (const char* path : {"/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"})
    if (access(path, X_OK) == 0) return path;
  return std::nullopt;
}

TEST_F(ServeNodesTest, ANodeKilledBehindHaproxyLosesNoEnrollment) {
  const std::optional<std::string> haproxy = haproxy_binary();
  if (!haproxy) GTEST_SKIP() << "haproxy is not installed (apt-get install haproxy)";
  const std::string cli = FACEKIT_CLI;
  if (access(cli.c_str(), X_OK) != 0) GTEST_SKIP() << cli << " is not built";
  testing::PostgresServer postgres(*bindir_);
  const std::string db = postgres.create_schema("balanced");
  const testing::TempDir work("balancer");

  std::vector<int> ports;
  std::vector<pid_t> nodes;
  auto start_node = [&](size_t i) {
    return spawn({cli, "serve", "--port", std::to_string(ports[i]), "--threads", "1", "--workers", "2", "--db", db},
                 work.path / ("node" + std::to_string(i) + ".log"));
  };
  for (size_t i = 0; i < 3; ++i) {
    ports.push_back(free_port());
    nodes.push_back(start_node(i));
  }
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(within(30s, [&] { return healthy(ports[i]); })) << "node " << i;
  const int balancer_port = free_port();
  std::string render = testing::quoted(testing::source_dir() / "deploy" / "haproxy-config.sh") + " " +
                       std::to_string(balancer_port);
  for (int p : ports) render += " 127.0.0.1:" + std::to_string(p);
  const auto [rendered, config] = testing::run_command(render);
  ASSERT_EQ(rendered, 0) << config;
  std::ofstream(work.path / "haproxy.cfg") << config;
  const pid_t balancer = spawn({*haproxy, "-db", "-f", (work.path / "haproxy.cfg").string()}, work.path / "haproxy.log");
  ASSERT_TRUE(within(10s, [&] { return healthy(balancer_port); })) << file_bytes(work.path / "haproxy.log");

  // The load: each client registers people of unique names and searches,
  // one request at a time, until it has made kEnrollments attempts.
  constexpr int kClients = 3, kEnrollments = 16;
  const std::string face = crop("sample1-150.png");
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<int> requests{0}, errors{0}, enrolled{0};
  auto client_loop = [&](int c) {
    httplib::Client client("127.0.0.1", balancer_port);
    client.set_read_timeout(60, 0);
    for (int i = 0; i < kEnrollments; ++i) {
      const std::string name = "person-" + std::to_string(c) + "-" + std::to_string(i);
      const int status = register_face(client, name, variant_of(face, c * 1000 + i));
      ++requests;
      if (status == 200) {
        const std::lock_guard lock(mutex);
        acknowledged.push_back(name);
        ++enrolled;
      } else {
        ++errors;
      }
      const int searched = search(client, face).status;
      ++requests;
      if (searched != 200) ++errors;
    }
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) clients.emplace_back(client_loop, c);
  // Kill node 1 in the middle of the load, then restart it.
  ASSERT_TRUE(within(120s, [&] { return enrolled.load() >= kClients * kEnrollments / 3; }));
  kill(nodes[1], SIGKILL);
  waitpid(nodes[1], nullptr, 0);
  std::this_thread::sleep_for(1s);
  nodes[1] = start_node(1);
  EXPECT_TRUE(within(30s, [&] { return healthy(ports[1]); })) << "the restarted node";
  for (auto& t : clients) t.join();

  // Every acknowledged enrollment stored exactly once (by an independent reading of the tables).
  const std::string stored = testing::postgres_query(
      db, "SELECT string_agg(convert_from(p.name, 'UTF8') || '=' || (SELECT count(*) FROM balanced.photos f "
          "WHERE f.person_id = p.id), ',') FROM balanced.people p");
  std::map<std::string, int> photos;
  std::stringstream list(stored);
  for (std::string item; std::getline(list, item, ',');)
    photos[item.substr(0, item.find('='))] = std::stoi(item.substr(item.find('=') + 1));
  for (const std::string& name : acknowledged) EXPECT_EQ(photos[name], 1) << name;
  for (const auto& [name, count] : photos) EXPECT_LE(count, 1) << name;
  // One request in flight per client at most when the node died.
  EXPECT_LE(errors.load(), kClients);
  std::printf("load balancer: %d requests, %d client-visible errors (%.2f %%), %zu of %d enrollments acknowledged\n",
              requests.load(), errors.load(), 100.0 * errors.load() / requests.load(), acknowledged.size(),
              kClients * kEnrollments);
  kill(balancer, SIGTERM);
  waitpid(balancer, nullptr, 0);
  for (pid_t node : nodes) {
    kill(node, SIGTERM);
    waitpid(node, nullptr, 0);
  }
}

}  // namespace
}  // namespace facekit
