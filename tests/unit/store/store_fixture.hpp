#pragma once
// The storage suite runs unchanged against every backend kind: each test file
// derives a fixture from store_test and instantiates it with
// DRIFTWAY_STORE_SUITE. A backend joins the suite by adding its kinds to
// backend_kinds() (a networked one only when its server is reachable).
#include "driftway/store/backend.hpp"
#include "run_sync.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace driftway::store::testing {

struct backend_kind {
    std::string name;
    // True when data survives close() and opening the same location again.
    bool persistent = false;
    // Opens (creating on first use) the database kept under dir, an empty
    // directory owned by the test.
    std::function<std::unique_ptr<backend>(const std::filesystem::path& dir)> open;
};

inline void PrintTo(const backend_kind& kind, std::ostream* os) {
    *os << kind.name;
}

std::vector<backend_kind> backend_kinds();

class store_test : public ::testing::TestWithParam<backend_kind> {
protected:
    void SetUp() override;
    void TearDown() override;

    // Closes the backend and opens the same location again.
    void reopen();

    template <class T>
    T run(boost::asio::awaitable<T> task) {
        return run_sync(io_, std::move(task));
    }

    // Creates a user (never the owner) and returns it; fails the test when
    // the backend refuses.
    user add_user(id_t id, const std::string& name);

    boost::asio::io_context io_;
    std::filesystem::path dir_;
    std::unique_ptr<backend> db_;
};

// A user with every field derived from its id and name.
user sample_user(id_t id, const std::string& name);

}  // namespace driftway::store::testing

#define DRIFTWAY_STORE_SUITE(suite)                                                       \
    INSTANTIATE_TEST_SUITE_P(                                                             \
        store, suite, ::testing::ValuesIn(::driftway::store::testing::backend_kinds()),   \
        [](const ::testing::TestParamInfo<::driftway::store::testing::backend_kind>& i) { \
            return i.param.name;                                                          \
        })
