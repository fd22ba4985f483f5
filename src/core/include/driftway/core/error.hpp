#pragma once
// The error every layer returns to the API edge: an HTTP status, a stable
// snake_case code, a human message and optional per-field reasons (API.md).
#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <map>
#include <stdexcept>
#include <string>

namespace driftway {

struct error {
    int status = 500;
    std::string code = "internal_error";
    std::string message = "internal error";
    std::map<std::string, std::string> fields;  // field name -> reason

    static error bad_request(std::string code, std::string message);
    static error validation(std::string field, std::string reason);
    static error unauthorized(std::string code = "unauthorized",
                              std::string message = "missing or invalid credentials");
    static error forbidden(std::string code = "missing_permission",
                           std::string message = "you may not do this");
    static error not_found(std::string what = "resource");
    static error conflict(std::string code, std::string message);
    static error too_large(std::string message);
    static error unavailable(std::string code, std::string message);
    static error internal(std::string message = "internal error");

    // Adds one more field reason and keeps the validation status/code.
    error& with_field(std::string field, std::string reason);
};

// Thrown by result<T>::value() on an error; caught at the HTTP edge.
class error_exception : public std::runtime_error {
public:
    explicit error_exception(error e) : std::runtime_error(e.message), error_(std::move(e)) {}
    const driftway::error& get() const noexcept { return error_; }

private:
    driftway::error error_;
};

[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, error>;

}  // namespace driftway
