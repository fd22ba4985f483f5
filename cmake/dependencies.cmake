# Every dependency comes from the distribution's packages (scripts/install-deps).

find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(tomlplusplus REQUIRED)

# Boost 1.81 (Debian's libboost1.81-dev): Asio, Beast, JSON, System.
set(Boost_NO_WARN_NEW_VERSIONS ON)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
