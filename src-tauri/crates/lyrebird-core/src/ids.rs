//! Typed ids. Each kind of id the actor hands out is a type of its own, so that passing a
//! lookup id where a play id belongs (the bug class behind "shows one song, plays another")
//! does not compile. In JSON and TypeScript they are plain numbers.

macro_rules! numeric_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The id after this one.
            #[must_use]
            pub const fn next(self) -> Self {
                Self(self.0 + 1)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        /// The number alone: events read `Started { play_id: 7, … }` in logs and tests.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

numeric_id!(
    /// Identifies one load of one track on the audio thread. Strictly increasing per actor.
    PlayId
);
numeric_id!(
    /// Identifies one lookup the actor started; replies carry it back.
    LookupId
);
numeric_id!(
    /// Identifies one queue entry (the same track queued twice is two entries).
    EntryId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numbers_on_the_wire() {
        assert_eq!(serde_json::to_string(&PlayId(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<EntryId>("9").unwrap(), EntryId(9));
        assert_eq!(LookupId(1).next(), LookupId(2));
        assert_eq!(PlayId(3).to_string(), "3");
    }
}
