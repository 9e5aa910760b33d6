//! Whether a NetEase song can be played for this account, from what its details, privilege and
//! URL reply say. The rule that matters most: a trial clip (30 seconds of a VIP song) is never
//! taken for the song.

use crate::model::{Privilege, Song, SongUrl, fee_needs_rights};

/// What a song's URL reply amounts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Playability {
    /// The URL plays the whole song.
    Playable,
    /// Greyed out: no copyright here (`privilege.st < 0`).
    Greyed,
    /// VIP or a bought album is needed (fee 1 or 4) and the account has neither.
    NeedsVip,
    /// Only a trial clip is offered (`freeTrialInfo`).
    TrialOnly,
    /// No URL, for no reason the reply gives.
    NoUrl,
}

impl Playability {
    /// Why the song does not play, in words for the user; `None` when it does.
    #[must_use]
    pub fn reason(self) -> Option<&'static str> {
        Some(match self {
            Self::Playable => return None,
            Self::Greyed => "NetEase has no rights to this song here",
            Self::NeedsVip => "this song needs NetEase VIP or the album bought",
            Self::TrialOnly => "NetEase offers only a trial clip of this song",
            Self::NoUrl => "NetEase gave no address for this song",
        })
    }
}

/// Classifies a song from its details (`song`), its privilege (`privilege`, or the song's own)
/// and its URL reply (`url`); any of them may be missing.
///
/// In order: greyed out (`st < 0`) wins; a URL that is a trial (`freeTrialInfo`), or a URL for
/// a song that needs rights the privilege says the account lacks, is [`Playability::TrialOnly`]
/// — the account cannot have the whole song, so what it got is a clip; no URL with a fee the
/// account has no rights for is [`Playability::NeedsVip`]; any other missing URL is
/// [`Playability::NoUrl`].
#[must_use]
pub fn classify(
    song: Option<&Song>,
    privilege: Option<&Privilege>,
    url: Option<&SongUrl>,
) -> Playability {
    let privilege = privilege.or_else(|| song.and_then(|s| s.privilege.as_ref()));
    if privilege.and_then(|p| p.st).is_some_and(|st| st < 0) {
        return Playability::Greyed;
    }
    let fee = privilege
        .and_then(|p| p.fee)
        .or_else(|| song.and_then(|s| s.fee))
        .or_else(|| url.and_then(|u| u.fee));
    // Rights: the privilege says the account may play something (`pl > 0`), or the song is
    // the user's own upload. Without a privilege, only the URL reply can tell.
    let lacks_rights = fee_needs_rights(fee)
        && privilege.is_some_and(|p| !p.cloud && p.pl.is_none_or(|pl| pl == 0));
    match url {
        Some(u) if u.url.is_some() => {
            if u.free_trial.is_some() || lacks_rights {
                Playability::TrialOnly
            } else {
                Playability::Playable
            }
        }
        _ if fee_needs_rights(fee) && (lacks_rights || privilege.is_none()) => {
            Playability::NeedsVip
        }
        _ => Playability::NoUrl,
    }
}

/// What a list can tell of a song before its URL is asked for: from its privilege (its own,
/// or `privilege`), whether the account certainly cannot play it — greyed out, or needing
/// rights (VIP, a bought album) the account lacks and not in the user's cloud disk. `None`
/// when it may play (or nothing says otherwise): the URL decides when it is played.
#[must_use]
pub fn listed(song: &Song, privilege: Option<&Privilege>) -> Option<lyrebird_core::Unplayable> {
    let privilege = privilege.or(song.privilege.as_ref())?;
    if privilege.st.is_some_and(|st| st < 0) {
        return Some(lyrebird_core::Unplayable::Greyed);
    }
    let fee = privilege.fee.or(song.fee);
    (fee_needs_rights(fee) && !privilege.cloud && privilege.pl.is_none_or(|pl| pl == 0))
        .then_some(lyrebird_core::Unplayable::NeedsVip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FreeTrial;

    fn privilege(fee: i64, st: i64, pl: u64) -> Privilege {
        Privilege {
            id: 1,
            fee: Some(fee),
            st: Some(st),
            pl: Some(pl),
            ..Privilege::default()
        }
    }

    fn url(link: Option<&str>, trial: bool) -> SongUrl {
        SongUrl {
            id: 1,
            url: link.map(str::to_owned),
            free_trial: trial.then(FreeTrial::default),
            ..SongUrl::default()
        }
    }

    const LINK: Option<&str> = Some("http://m701.music.126.net/a.mp3");

    #[test]
    fn a_free_song_with_a_url_plays() {
        let p = privilege(8, 0, 128_000);
        assert_eq!(
            classify(None, Some(&p), Some(&url(LINK, false))),
            Playability::Playable
        );
        assert_eq!(
            classify(None, None, Some(&url(LINK, false))),
            Playability::Playable
        );
    }

    #[test]
    fn greyed_wins() {
        let p = privilege(0, -200, 0);
        assert_eq!(
            classify(None, Some(&p), Some(&url(LINK, false))),
            Playability::Greyed
        );
        let song = Song {
            privilege: Some(privilege(0, -100, 0)),
            ..Song::default()
        };
        assert_eq!(classify(Some(&song), None, None), Playability::Greyed);
    }

    #[test]
    fn a_trial_is_never_the_song() {
        let vip = privilege(1, 0, 0);
        assert_eq!(
            classify(None, Some(&vip), Some(&url(LINK, true))),
            Playability::TrialOnly
        );
        // No freeTrialInfo, but the privilege says the account has no rights: still a clip.
        assert_eq!(
            classify(None, Some(&vip), Some(&url(LINK, false))),
            Playability::TrialOnly
        );
        // A trial marker on a free song is believed too.
        assert_eq!(
            classify(
                None,
                Some(&privilege(0, 0, 320_000)),
                Some(&url(LINK, true))
            ),
            Playability::TrialOnly
        );
    }

    #[test]
    fn vip_songs_without_rights_and_without_a_url() {
        for fee in [1, 4] {
            assert_eq!(
                classify(None, Some(&privilege(fee, 0, 0)), Some(&url(None, false))),
                Playability::NeedsVip
            );
        }
        // Only the URL reply's own fee.
        let u = SongUrl {
            fee: Some(1),
            ..url(None, false)
        };
        assert_eq!(classify(None, None, Some(&u)), Playability::NeedsVip);
        // With VIP rights it plays.
        assert_eq!(
            classify(
                None,
                Some(&privilege(1, 0, 999_000)),
                Some(&url(LINK, false))
            ),
            Playability::Playable
        );
        // A cloud-disk upload of a VIP song is the user's own.
        let cloud = Privilege {
            cloud: true,
            ..privilege(1, 0, 0)
        };
        assert_eq!(
            classify(None, Some(&cloud), Some(&url(LINK, false))),
            Playability::Playable
        );
    }

    #[test]
    fn nothing_known_is_no_url() {
        assert_eq!(classify(None, None, None), Playability::NoUrl);
        assert_eq!(
            classify(None, Some(&privilege(0, 0, 0)), Some(&url(None, false))),
            Playability::NoUrl
        );
        assert!(Playability::NoUrl.reason().is_some());
        assert!(Playability::Playable.reason().is_none());
    }

    #[test]
    fn lists_tell_greyed_and_vip_only_songs_from_their_privilege() {
        use lyrebird_core::Unplayable;
        let song = |fee, st, pl, cloud| Song {
            id: 1,
            fee: Some(fee),
            privilege: Some(Privilege {
                id: 1,
                fee: Some(fee),
                st: Some(st),
                pl,
                cloud,
                ..Privilege::default()
            }),
            ..Song::default()
        };
        assert_eq!(
            listed(&song(0, -200, Some(320_000), false), None),
            Some(Unplayable::Greyed)
        );
        assert_eq!(
            listed(&song(1, 0, Some(0), false), None),
            Some(Unplayable::NeedsVip)
        );
        assert_eq!(
            listed(&song(4, 0, None, false), None),
            Some(Unplayable::NeedsVip)
        );
        assert_eq!(
            listed(&song(1, 0, Some(0), true), None),
            None,
            "the user's own upload"
        );
        assert_eq!(
            listed(&song(1, 0, Some(999_000), false), None),
            None,
            "a VIP account"
        );
        assert_eq!(listed(&song(8, 0, Some(128_000), false), None), None);
        assert_eq!(
            listed(&song(0, 0, Some(0), false), None),
            None,
            "free: the URL decides"
        );
        let bare = Song {
            id: 2,
            fee: Some(1),
            ..Song::default()
        };
        assert_eq!(listed(&bare, None), None, "nothing says: the URL decides");
        let greyed = Privilege {
            id: 2,
            st: Some(-1),
            ..Privilege::default()
        };
        assert_eq!(listed(&bare, Some(&greyed)), Some(Unplayable::Greyed));
    }
}
