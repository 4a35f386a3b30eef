//! Schemas of the values the handlers check beyond their Rust type (ids, instants, the
//! 15-minute grid, bounded text), built once so every field that takes one says the same
//! thing: the document states each rule the handlers enforce (`schema_with = ...`).

use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Array, Object};

/// What `coaching_domain::ids` accepts: 1 to 128 letters, digits and `-_.:@|`.
pub const ID_PATTERN: &str = "^[A-Za-z0-9._:@|-]{1,128}$";

/// An instant: RFC 3339 in UTC (`Z`, as every instant on the wire), in the years the rules
/// accept (1970 to 9999, `coaching_domain::time::check_instant`).
pub const INSTANT_PATTERN: &str = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$";

/// An instant on the 15-minute booking grid (`coaching_domain::time::on_grid`): minutes 00,
/// 15, 30 or 45, no seconds.
pub const GRID_INSTANT_PATTERN: &str = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):(00|15|30|45):00(\\.0{1,9})?Z$";

/// Text that is not blank: some character other than white space.
pub const NOT_BLANK_PATTERN: &str = "\\S";

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// An id (see [`ID_PATTERN`]).
pub fn id() -> Object {
    string()
        .pattern(Some(ID_PATTERN))
        .min_length(Some(1))
        .max_length(Some(128))
        .build()
}

/// A list of at most `max` ids.
pub fn ids(max: usize) -> Array {
    ArrayBuilder::new().items(id()).max_items(Some(max)).build()
}

/// An instant (see [`INSTANT_PATTERN`]).
pub fn instant() -> Object {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .pattern(Some(INSTANT_PATTERN))
        .build()
}

/// An instant on the booking grid (see [`GRID_INSTANT_PATTERN`]).
pub fn grid_instant() -> Object {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .pattern(Some(GRID_INSTANT_PATTERN))
        .examples(["2026-12-07T09:00:00Z"])
        .build()
}

/// Free text of 1 to `max` characters, not blank.
pub fn text(max: usize) -> Object {
    string()
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(NOT_BLANK_PATTERN))
        .build()
}

/// An absolute http(s) URL of at most 2048 characters (`coaching_domain::webhook::is_http_url`
/// accepts more spellings; this is the plain one every client sends).
pub fn http_url() -> Object {
    string()
        .format(Some(SchemaFormat::Custom("uri".to_owned())))
        .pattern(Some(
            "^https?://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?(/[!-~]*)?$",
        ))
        .max_length(Some(2048))
        .build()
}

/// Free text of at most `max` characters (blank allowed).
pub fn up_to(max: usize) -> Object {
    string().max_length(Some(max)).build()
}
