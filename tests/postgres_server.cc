#include "postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace facekit::testing {

namespace fs = std::filesystem;

namespace {

std::string file_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The account the server runs under: postgres when we are root, else us.
const passwd* server_account() {
  if (geteuid() != 0) return nullptr;
  const passwd* account = getpwnam("postgres");
  if (!account) throw std::runtime_error("running as root, and there is no `postgres` user to run PostgreSQL as");
  return account;
}

// Starts `argv` in `dir` as `account` (null: as ourselves) with stdout and
// stderr appended to `log`. With `die_with_us`, the kernel sends it SIGQUIT
// (PostgreSQL's immediate shutdown) when this process dies.
pid_t spawn(const std::vector<std::string>& argv, const passwd* account, const fs::path& dir, const fs::path& log,
            bool die_with_us) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) throw std::runtime_error("cannot create " + log.string());
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child == 0) {  // only async-signal-safe calls until exec
    if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0 || chdir(dir.c_str()) != 0) _exit(126);
    if (account && (setgroups(0, nullptr) != 0 || setgid(account->pw_gid) != 0 || setuid(account->pw_uid) != 0))
      _exit(126);
    // After setuid, which clears it; and not if the parent is already gone.
    if (die_with_us && (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid() != parent)) _exit(126);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out);
  if (child < 0) throw std::runtime_error("cannot fork to run " + argv[0]);
  return child;
}

// The server's `postgres` database, working in `schema` when one is given.
std::string uri_of(const fs::path& socket_dir, const std::string& schema = "") {
  return "postgresql:///postgres?host=" + socket_dir.string() + "&port=" + std::to_string(PostgresServer::kPort) +
         "&user=" + PostgresServer::kUser + (schema.empty() ? "" : "&options=-csearch_path%3D" + schema);
}

struct ConnectionDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};

}  // namespace

std::optional<fs::path> PostgresServer::find_binaries() {
  auto has_server = [](const fs::path& dir) {
    return fs::exists(dir / "initdb") && fs::exists(dir / "postgres");
  };
  if (FILE* pipe = popen("pg_config --bindir 2>/dev/null", "r")) {
    char line[4096] = {};
    const bool read = std::fgets(line, sizeof line, pipe) != nullptr;
    pclose(pipe);
    std::string dir = read ? line : "";
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
    if (!dir.empty() && has_server(dir)) return fs::path(dir);
  }
  std::optional<fs::path> newest;
  std::error_code ec;
  for (const auto& version : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = version.path() / "bin";
    if (!has_server(bin)) continue;
    // Versions are numbers: 9.6 < 15.
    auto number = [](const fs::path& p) { return std::atof(p.parent_path().filename().c_str()); };
    if (!newest || number(bin) > number(*newest)) newest = bin;
  }
  return newest;
}

void PostgresServer::make_folder() {
  const passwd* account = server_account();
  std::string pattern = (fs::temp_directory_path() / "facekit_pg_XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a folder in " + fs::temp_directory_path().string());
  dir_ = pattern;
  if (account && chown(dir_.c_str(), account->pw_uid, account->pw_gid) != 0) {
    stop();
    throw std::runtime_error("cannot hand " + dir_.string() + " to the postgres user");
  }
}

PostgresServer::PostgresServer(const fs::path& bindir) : bindir_(bindir), owner_(getpid()) {
  const passwd* account = server_account();
  make_folder();
  const fs::path log = dir_ / "server.log";
  try {
    const pid_t initdb = spawn({(bindir / "initdb").string(), "-D", (dir_ / "data").string(), "-U", kUser, "-A",
                                "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                               account, dir_, log, false);
    int status = 0;
    waitpid(initdb, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("initdb failed:\n" + file_text(log));

    start_server();
  } catch (...) {
    stop();
    throw;
  }
}

PostgresServer::PostgresServer(const PostgresServer& primary, std::chrono::milliseconds apply_delay)
    : bindir_(primary.bindir_), owner_(getpid()) {
  make_folder();
  const fs::path log = dir_ / "server.log";
  try {
    // -R writes standby.signal and primary_conninfo (the primary's socket).
    const pid_t backup = spawn({(bindir_ / "pg_basebackup").string(), "-D", (dir_ / "data").string(), "-h",
                                primary.dir_.string(), "-p", std::to_string(kPort), "-U", kUser, "-R", "-X", "stream",
                                "-c", "fast", "--no-sync"},
                               server_account(), dir_, log, false);
    int status = 0;
    waitpid(backup, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("pg_basebackup failed:\n" + file_text(log));
    std::ofstream conf(dir_ / "data" / "postgresql.auto.conf", std::ios::app);
    conf << "recovery_min_apply_delay = '" << apply_delay.count() << "ms'\n";
    conf.close();
    if (!conf) throw std::runtime_error("cannot write " + (dir_ / "data" / "postgresql.auto.conf").string());
    start_server();
  } catch (...) {
    stop();
    throw;
  }
}

void PostgresServer::start_server() {
  const fs::path log = dir_ / "server.log";
  const std::string conninfo = uri_of(dir_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  // After a kill, the old server's backends may hold its shared memory for a
  // moment, and the new server refuses to start until they are gone: retry.
  for (;;) {
    server_ = spawn({(bindir_ / "postgres").string(), "-D", (dir_ / "data").string(), "-k", dir_.string(), "-p",
                     std::to_string(kPort), "-c", "listen_addresses=", "-c", "fsync=off", "-c",
                     "full_page_writes=off", "-c", "autovacuum=off", "-c", "max_connections=40"},
                    server_account(), dir_, log, true);
    int status = 0;
    while (PQping(conninfo.c_str()) != PQPING_OK) {
      if (waitpid(server_, &status, WNOHANG) == server_) {
        server_ = -1;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("postgres did not answer within 60 s:\n" + file_text(log));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (server_ > 0) return;
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("postgres exited at start:\n" + file_text(log));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void PostgresServer::kill_server() {
  if (server_ <= 0) return;
  kill(server_, SIGKILL);
  waitpid(server_, nullptr, 0);
  server_ = -1;
}

void PostgresServer::restart() {
  if (server_ <= 0) start_server();
}

PostgresServer::~PostgresServer() { stop(); }

void PostgresServer::stop() {
  if (getpid() != owner_) return;
  if (server_ > 0) {
    kill(server_, SIGQUIT);  // immediate shutdown: the data is thrown away anyway
    waitpid(server_, nullptr, 0);
    server_ = -1;
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
  dir_.clear();
}

std::string PostgresServer::create_schema(const std::string& name) {
  postgres_query(uri_of(dir_), "CREATE SCHEMA \"" + name + "\"");
  return uri_of(dir_, name);
}

std::string PostgresServer::uri(const std::string& schema) const { return uri_of(dir_, schema); }

PostgresServer* shared_postgres_server() {
  static const std::unique_ptr<PostgresServer> server = [] {
    const auto bindir = PostgresServer::find_binaries();
    return bindir ? std::make_unique<PostgresServer>(*bindir) : nullptr;
  }();
  return server.get();
}

std::string postgres_query(const std::string& uri, const std::string& sql) {
  const std::unique_ptr<PGconn, ConnectionDeleter> conn(PQconnectdb(uri.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(uri + ": cannot connect: " + PQerrorMessage(conn.get()));
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(uri + ": " + sql + ": " + PQresultErrorMessage(result.get()));
  return PQntuples(result.get()) > 0 && PQnfields(result.get()) > 0 ? PQgetvalue(result.get(), 0, 0) : "";
}

}  // namespace facekit::testing
