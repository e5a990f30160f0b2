// A throwaway PostgreSQL server for tests: initdb into a fresh temporary
// folder, `postgres` listening only on a unix socket inside it (no TCP),
// fsync off; stopped (and the folder deleted) when destroyed or when the test
// process dies. initdb and postgres refuse to run as root: under root they
// run as the `postgres` system user, which must be able to reach the folder
// (TMPDIR, /tmp by default).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace facekit::testing {

class PostgresServer {
 public:
  // Where initdb and postgres are: `pg_config --bindir`, else the newest
  // /usr/lib/postgresql/*/bin; nullopt when there are none.
  static std::optional<std::filesystem::path> find_binaries();

  // Creates and starts a server from the binaries in `bindir`; throws
  // std::runtime_error with the server's log when it cannot.
  explicit PostgresServer(const std::filesystem::path& bindir);
  // Creates and starts a streaming replica of `primary` (pg_basebackup -R
  // over the primary's socket; a hot standby on a socket of its own), whose
  // replay of each commit waits `apply_delay` (recovery_min_apply_delay: a
  // replica that lags by that much). Throws std::runtime_error with the log
  // when it cannot.
  PostgresServer(const PostgresServer& primary, std::chrono::milliseconds apply_delay);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Creates an empty schema (a gallery's own namespace, cheaper than a
  // database); the libpq URI of a connection that works in it
  // (postgresql:///postgres?host=...&options=-csearch_path%3DNAME).
  std::string create_schema(const std::string& name);
  // The libpq URI of a connection that works in schema `name` (created on
  // the primary, for a replica).
  std::string uri(const std::string& schema) const;

  // Kills the server with SIGKILL, as a crash or the OOM killer would, and
  // waits for it; restart() then starts it again on the same data (crash
  // recovery included), throwing std::runtime_error when it cannot.
  void kill_server();
  void restart();
  const std::filesystem::path& socket_dir() const { return dir_; }
  static constexpr const char* kUser = "facekit";  // the superuser, trusted without a password
  static constexpr int kPort = 5432;              // names the socket file; nothing listens on TCP

 private:
  // Stops the server and deletes the folder (only in the process that made them).
  void stop();
  // Makes the temporary folder (owned by the server's account).
  void make_folder();
  // Starts `postgres` on the data folder and waits until it answers.
  void start_server();

  std::filesystem::path dir_;
  std::filesystem::path bindir_;
  pid_t server_ = -1;
  pid_t owner_ = -1;  // the process that started the server (a fork() child must not stop it)
};

// The server this test binary shares, started on first use; null when the
// PostgreSQL binaries are absent (tests then skip).
PostgresServer* shared_postgres_server();

// Runs `sql` in the database at `uri` with libpq, independently of the code
// under test; the first row's first column as text ("" for none). Throws
// std::runtime_error with the server's message on failure.
std::string postgres_query(const std::string& uri, const std::string& sql);

}  // namespace facekit::testing
