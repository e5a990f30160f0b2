// A pool of interchangeable instances of one model, for callers on many
// threads: a model object runs one call at a time, so each call borrows an
// instance of its own and gives it back when done. Instances are made on
// demand, so the pool holds as many as the peak number of concurrent
// borrowers, and a lone caller loads the model once.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace facekit {

template <class Model>
class ModelPool {
 public:
  // `make` loads one instance (it may throw; nothing is then kept). It is
  // called without the pool's lock held, so loads on several threads overlap.
  explicit ModelPool(std::function<std::unique_ptr<Model>()> make) : make_(std::move(make)) {}

  // An instance borrowed until the Lease is destroyed (which returns it).
  class Lease {
   public:
    Lease(ModelPool* pool, std::unique_ptr<Model> model) : pool_(pool), model_(std::move(model)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (model_) pool_->give_back(std::move(model_));
    }
    Model& operator*() const { return *model_; }
    Model* operator->() const { return model_.get(); }
    Model* get() const { return model_.get(); }

   private:
    ModelPool* pool_;
    std::unique_ptr<Model> model_;
  };

  // An idle instance, or a new one when all are busy. Throws what `make` throws.
  Lease borrow() {
    {
      const std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<Model> model = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(model));
      }
    }
    return Lease(this, make_());
  }

 private:
  void give_back(std::unique_ptr<Model> model) {
    const std::lock_guard lock(mutex_);
    idle_.push_back(std::move(model));
  }

  std::function<std::unique_ptr<Model>()> make_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Model>> idle_;
};

}  // namespace facekit
