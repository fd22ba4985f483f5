#include "driftway/core/error.hpp"

namespace driftway {

error error::bad_request(std::string code, std::string message) {
    return {400, std::move(code), std::move(message), {}};
}

error error::validation(std::string field, std::string reason) {
    error e{400, "validation_failed", "the request is not valid", {}};
    e.fields.emplace(std::move(field), std::move(reason));
    return e;
}

error error::unauthorized(std::string code, std::string message) {
    return {401, std::move(code), std::move(message), {}};
}

error error::forbidden(std::string code, std::string message) {
    return {403, std::move(code), std::move(message), {}};
}

error error::not_found(std::string what) {
    return {404, "unknown_" + what, what + " not found", {}};
}

error error::conflict(std::string code, std::string message) {
    return {409, std::move(code), std::move(message), {}};
}

error error::too_large(std::string message) {
    return {413, "payload_too_large", std::move(message), {}};
}

error error::unavailable(std::string code, std::string message) {
    return {503, std::move(code), std::move(message), {}};
}

error error::internal(std::string message) {
    return {500, "internal_error", std::move(message), {}};
}

error& error::with_field(std::string field, std::string reason) {
    fields.insert_or_assign(std::move(field), std::move(reason));
    return *this;
}

void throw_exception_from_error(const error& e, const boost::source_location&) {
    throw error_exception(e);
}

}  // namespace driftway
