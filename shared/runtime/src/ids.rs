//! The id port's adapter: ULIDs.

use coaching_domain::ports::IdGenerator;
use std::sync::Mutex;

/// ULIDs, monotonic within a process so ids sort in creation order.
#[derive(Default)]
pub struct UlidIds {
    generator: Mutex<ulid::Generator>,
}

impl std::fmt::Debug for UlidIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UlidIds")
    }
}

impl UlidIds {
    pub fn new() -> Self {
        Self::default()
    }
}

impl IdGenerator for UlidIds {
    fn new_id(&self) -> String {
        let mut g = self.generator.lock().unwrap_or_else(|p| p.into_inner());
        g.generate()
            .unwrap_or_else(|_| ulid::Ulid::new())
            .to_string()
    }
}
