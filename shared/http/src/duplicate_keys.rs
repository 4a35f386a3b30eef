//! Refusing JSON bodies that name one key twice in an object.
//!
//! serde_json keeps the last of two equal keys, and a typed body drops unknown ones, so a body
//! such as `{"coacheeId":"a","coacheeId":"b"}` would be read one way here and possibly the other
//! way by whatever signed, logged or validated it before us. A body with a duplicate key is
//! therefore 400, naming the key's path. serde_json has no switch for this; this module walks
//! the document once with serde's visitor API (serde_json still does all the parsing).

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

/// The path (`data.scores[0].comment`) of the first key that appears twice in one object of
/// `bytes`, or `None` when there is none. Bytes that are not JSON are `None` here: the typed
/// parse reports those.
pub fn first_duplicate(bytes: &[u8]) -> Option<String> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let _ = Walk {
        path: String::new(),
        found: &found,
    }
    .deserialize(&mut de);
    found.into_inner()
}

struct Walk<'a> {
    path: String,
    found: &'a RefCell<Option<String>>,
}

impl Walk<'_> {
    fn child(&self, segment: fmt::Arguments<'_>) -> Walk<'_> {
        Walk {
            path: format!("{}{segment}", self.path),
            found: self.found,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq
            .next_element_seed(self.child(format_args!("[{i}]")))?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = if self.path.is_empty() {
                self.child(format_args!("{key}"))
            } else {
                self.child(format_args!(".{key}"))
            };
            if !seen.insert(key) {
                *self.found.borrow_mut() = Some(child.path);
                return Err(A::Error::custom("duplicate key"));
            }
            map.next_value_seed(child)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::first_duplicate;

    #[test]
    fn a_key_twice_anywhere_is_found_with_its_path() {
        let cases = [
            (r#"{"a":1,"a":2}"#, Some("a")),
            (
                r#"{"data":{"coacheeId":"x","coacheeId":"y"}}"#,
                Some("data.coacheeId"),
            ),
            (
                r#"{"data":{"scores":[{"c":1},{"c":1,"c":2}]}}"#,
                Some("data.scores[1].c"),
            ),
            // Escapes name the same key.
            (r#"{"a":1,"\u0061":2}"#, Some("a")),
            (r#"{"a":{"b":1},"b":{"a":1}}"#, None),
            (r#"[{"a":1},{"a":1}]"#, None),
            ("not json", None),
            ("", None),
        ];
        for (body, want) in cases {
            assert_eq!(first_duplicate(body.as_bytes()).as_deref(), want, "{body}");
        }
    }
}
