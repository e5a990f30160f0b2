#include "gallery/gallery_backend.h"

#include "facekit/error.h"

namespace facekit::store {

WriteTransaction::WriteTransaction(Backend& db) : db_(db) { db_.begin_write(); }

WriteTransaction::~WriteTransaction() {
  if (!open_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const Error&) {  // nothing more to undo: the database already rolled back
  }
}

void WriteTransaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace facekit::store
