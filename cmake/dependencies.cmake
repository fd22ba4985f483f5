# Every dependency comes from the distribution's packages (scripts/install-deps).

find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(tomlplusplus REQUIRED)
# Voice: SRTP (libsrtp2, built against OpenSSL for AES-GCM) and Opus.
pkg_check_modules(SRTP2 REQUIRED IMPORTED_TARGET libsrtp2)
pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus)
# Cluster shape: Redis (hiredis) and PostgreSQL (libpq).
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
find_package(PostgreSQL REQUIRED)

# Boost 1.81 (Debian's libboost1.81-dev): Asio, Beast, JSON, System.
set(Boost_NO_WARN_NEW_VERSIONS ON)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
