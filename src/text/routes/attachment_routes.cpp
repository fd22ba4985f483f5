// POST /attachments (multipart/form-data with a `file` part, or the raw bytes
// with ?filename=) and GET /attachments/{attachment_id}/{filename}.
//
// Uploads are served from the API's own origin, so nothing a user uploads
// may ever be rendered as a page there: the type is sniffed from the bytes
// (never taken from the client), every response says nosniff, only raster
// images are inline and everything else is a download, and a CSP sandbox
// keeps script from running even if a browser rendered it anyway.
#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"
#include "driftway/text/json_shapes.hpp"
#include "driftway/text/services.hpp"
#include "messages/multipart.hpp"
#include "messages/names.hpp"
#include "messages/sniff.hpp"
#include "routes/common.hpp"

namespace driftway::text {

namespace {

using namespace routes;
using auth::principal;

// Attachments never change under an id; access can, hence private and a day.
constexpr std::string_view cache_control = "private, max-age=86400";

struct upload {
    std::string filename;  // as sent, not yet sanitized
    std::string bytes;
};

std::string query_filename(const request& req) {
    auto name = req.query_param("filename");
    return name ? std::move(*name) : std::string{};
}

// Takes the body out of the request: the file bytes are moved, not copied.
upload read_upload(request& req) {
    upload out;
    const auto content_type = req.header("content-type").value_or(std::string_view{});
    const auto boundary = messages::form_data_boundary(content_type);
    if (!boundary) {
        if (content_type.substr(0, 10) == "multipart/")
            fail(error::bad_request(
                "invalid_multipart",
                "multipart uploads must be multipart/form-data with a boundary"));
        out.filename = query_filename(req);
        out.bytes = std::move(req.body);
        return out;
    }

    auto parts = messages::parse_form_data(req.body, *boundary);
    if (!parts) fail(error::bad_request("invalid_multipart", "the multipart body is malformed"));
    const messages::form_part* file = nullptr;
    for (const auto& p : *parts) {
        if (p.name != "file") fail(error::validation(p.name, "is not a known field"));
        if (file) fail(error::validation("file", "must be given once"));
        file = &p;
    }
    if (!file) fail(error::validation("file", "is required"));
    out.filename = file->filename.value_or(query_filename(req));
    // The part is a view into the body: cut the body down to it in place.
    const auto offset = static_cast<std::size_t>(file->data.data() - req.body.data());
    const auto size = file->data.size();
    out.bytes = std::move(req.body);
    out.bytes.erase(0, offset);
    out.bytes.resize(size);
    return out;
}

awaitable_response create_attachment(text_services& s, request& req, const principal& who) {
    const auto limit = (co_await s.db.instance().get()).max_upload_bytes;
    auto in = read_upload(req);
    if (static_cast<std::int64_t>(in.bytes.size()) > limit)
        fail(error::too_large("the file is larger than this instance's upload limit of " +
                              std::to_string(limit) + " bytes"));
    if (in.bytes.empty()) fail(error::validation("file", "must not be empty"));
    if (in.filename.empty()) fail(error::validation("filename", "is required"));
    auto filename = messages::sanitize_filename(in.filename);
    if (!filename) fail(error::validation("filename", "must be a file name of valid UTF-8 text"));

    store::attachment a;
    a.id = s.ids.next();
    a.uploader_id = who.user_id;
    a.filename = std::move(*filename);
    a.content_type = std::string(messages::sniff_content_type(in.bytes));
    a.size = static_cast<std::int64_t>(in.bytes.size());
    a.created_at = clock::unix_ms();
    a.sha256 = co_await s.files.put(std::move(in.bytes));
    co_await s.db.attachments().create(a);
    co_return response::json(201, attachment_json(a));
}

// The uploader may always fetch their file (before it is attached, and as an
// avatar or icon); anyone else only when they can read the channel of the
// message it is attached to. Everyone else gets the same 404 as for a file
// that does not exist.
task<bool> may_fetch(text_services& s, const store::attachment& a, id_t user_id) {
    if (a.uploader_id == user_id) co_return true;
    if (a.message_id == 0) co_return false;
    auto access = co_await s.dir.access(user_id, a.channel_id);
    co_return access && access->can(auth::perm::read_message_history);
}

// The file of an attachment the caller may fetch, with the headers that keep
// it inert in a browser whatever its bytes are.
awaitable_response serve_file(text_services& s, const request& req, const store::attachment& a,
                              std::string_view what) {
    const auto etag = "\"" + a.sha256 + "\"";
    response res;
    res.headers.set("X-Content-Type-Options", "nosniff");
    res.headers.set("Content-Security-Policy", "sandbox; default-src 'none'");
    res.headers.set("Cache-Control", std::string(cache_control));
    res.headers.set("ETag", etag);
    if (req.header("if-none-match") == std::optional<std::string_view>(etag)) {
        res.status = 304;
        co_return res;
    }
    auto bytes = co_await s.files.get(a.sha256);
    if (!bytes) {
        log::error("attachment file missing",
                   {{"attachment_id", json::id_string(a.id)}, {"sha256", a.sha256}});
        fail(error::not_found(std::string(what)));
    }
    res.status = 200;
    res.headers.set("Content-Type", a.content_type);
    res.headers.set(
        "Content-Disposition",
        messages::content_disposition(messages::is_inline_image(a.content_type), a.filename));
    res.body = std::move(*bytes);
    co_return res;
}

awaitable_response fetch_attachment(text_services& s, request& req, const principal& who) {
    const auto id = path_id(req, "attachment_id", "attachment");
    auto a = co_await s.db.attachments().get(id);
    if (!a || req.param("filename") != a->filename || !(co_await may_fetch(s, *a, who.user_id)))
        fail(error::not_found("attachment"));
    co_return co_await serve_file(s, req, *a, "attachment");
}

// GET /users/{id}/avatar: a profile picture is public to every signed-in
// user. Only an image the user uploaded themselves is served, so pointing
// one's avatar at somebody else's private file reveals nothing.
awaitable_response fetch_avatar(text_services& s, request& req) {
    const auto user_id = path_id(req, "user_id", "user");
    auto u = co_await s.dir.user(user_id);
    if (!u) fail(error::not_found("user"));
    std::optional<store::attachment> a;
    if (u->avatar) a = co_await s.db.attachments().get(*u->avatar);
    if (!a || a->uploader_id != u->id || !messages::is_inline_image(a->content_type))
        fail(error::not_found("avatar"));
    co_return co_await serve_file(s, req, *a, "avatar");
}

}  // namespace

void add_attachment_routes(auth::api_router& api, text_services& s) {
    api.post("/api/v1/attachments",
             [&s](request& req, const principal& who) { return create_attachment(s, req, who); });
    api.get("/api/v1/attachments/{attachment_id}/{filename}",
            [&s](request& req, const principal& who) { return fetch_attachment(s, req, who); });
    api.get("/api/v1/users/{user_id}/avatar",
            [&s](request& req, const principal&) { return fetch_avatar(s, req); });
}

}  // namespace driftway::text
