//! Where requests go. [`ApiHosts::from_env`] reads `LYREBIRD_NETEASE_API`, which sends every
//! request to one base URL (a fake server in tests, a proxy, a mirror), and, only together
//! with it, `LYREBIRD_NETEASE_WEAPI_PUBKEY`: the weapi RSA public key of a test server.

use crate::NeteaseError;
use crate::crypto::weapi::WeapiPublicKey;

/// The environment variable that points every host at one base URL.
pub const API_OVERRIDE_ENV: &str = "LYREBIRD_NETEASE_API";

/// For tests only: the modulus (hex) of the weapi RSA public key of the server
/// `LYREBIRD_NETEASE_API` names (an emulator with a key pair of its own, so that it can open
/// weapi requests). Ignored unless `LYREBIRD_NETEASE_API` is set: requests to NetEase always
/// use NetEase's key.
pub const WEAPI_PUBKEY_ENV: &str = "LYREBIRD_NETEASE_WEAPI_PUBKEY";

/// Which of NetEase's hosts a request goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// `music.163.com`: weapi, linuxapi, and QR login pages.
    Web,
    /// `interface.music.163.com`: plain `api` requests and the xeapi key.
    Api,
    /// `interfacepc.music.163.com`: eapi.
    Eapi,
    /// `interface3.music.163.com`: xeapi.
    Xeapi,
    /// `clientlog.music.163.com`: play logs (scrobbling).
    Clientlog,
}

/// Base URLs (scheme and host, no trailing slash) of each [`Host`], and the weapi public key
/// of the servers there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiHosts {
    pub web: String,
    pub api: String,
    pub eapi: String,
    pub xeapi: String,
    pub clientlog: String,
    /// `p1.music.126.net`: cover images (any of NetEase's `*.music.126.net` picture hosts
    /// serves the same paths).
    pub images: String,
    /// NetEase's, unless a test server's was given with [`ApiHosts::all`] hosts.
    pub weapi_key: WeapiPublicKey,
}

impl Default for ApiHosts {
    fn default() -> Self {
        Self {
            web: "https://music.163.com".to_owned(),
            api: "https://interface.music.163.com".to_owned(),
            eapi: "https://interfacepc.music.163.com".to_owned(),
            xeapi: "https://interface3.music.163.com".to_owned(),
            clientlog: "https://clientlog.music.163.com".to_owned(),
            images: "https://p1.music.126.net".to_owned(),
            weapi_key: WeapiPublicKey::default(),
        }
    }
}

impl ApiHosts {
    /// NetEase's own hosts, or all of them replaced by `$LYREBIRD_NETEASE_API` when it is set
    /// and not empty — then with the weapi key `$LYREBIRD_NETEASE_WEAPI_PUBKEY`, if set.
    pub fn from_env() -> Result<Self, NeteaseError> {
        Self::from_vars(
            std::env::var(API_OVERRIDE_ENV).ok().as_deref(),
            std::env::var(WEAPI_PUBKEY_ENV).ok().as_deref(),
        )
    }

    /// [`ApiHosts::from_env`] with the variables' values given: the key is honoured only with
    /// a base URL (NetEase's own hosts always get NetEase's key).
    pub fn from_vars(base: Option<&str>, weapi_pubkey: Option<&str>) -> Result<Self, NeteaseError> {
        match base {
            Some(base) if !base.trim().is_empty() => {
                let hosts = Self::all(base)?;
                match weapi_pubkey {
                    Some(key) if !key.trim().is_empty() => {
                        Ok(hosts.with_weapi_key(WeapiPublicKey::from_modulus_hex(key)?))
                    }
                    _ => Ok(hosts),
                }
            }
            _ => Ok(Self::default()),
        }
    }

    /// The same hosts with another weapi public key (a test server's).
    #[must_use]
    pub fn with_weapi_key(mut self, key: WeapiPublicKey) -> Self {
        self.weapi_key = key;
        self
    }

    /// Every host replaced by `base`, an absolute http(s) URL without query or fragment.
    pub fn all(base: &str) -> Result<Self, NeteaseError> {
        let base = base.trim().trim_end_matches('/');
        let invalid = |reason: &str| NeteaseError::InvalidAddress {
            address: base.to_owned(),
            reason: reason.to_owned(),
        };
        let url = url::Url::parse(base).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("not http or https"));
        }
        if url.host_str().is_none() {
            return Err(invalid("no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("a base URL takes no query or fragment"));
        }
        Ok(Self {
            web: base.to_owned(),
            api: base.to_owned(),
            eapi: base.to_owned(),
            xeapi: base.to_owned(),
            clientlog: base.to_owned(),
            images: base.to_owned(),
            weapi_key: WeapiPublicKey::default(),
        })
    }

    /// Where to fetch the cover a song names (`picUrl`), at most `px` pixels a side: only a
    /// picture on NetEase's image hosts (`music.126.net` and its subdomains, http or https as
    /// NetEase writes them), asked over https of [`ApiHosts::images`] (or the test server)
    /// with NetEase's resize parameter. Anything else is `None`: a webview that names a cover
    /// cannot make the app fetch any other address.
    #[must_use]
    pub fn cover_url(&self, pic_url: &str, px: u32) -> Option<String> {
        let url = url::Url::parse(pic_url).ok()?;
        let host = url.host_str()?;
        let netease = host == "music.126.net" || host.ends_with(".music.126.net");
        if !netease || !matches!(url.scheme(), "http" | "https") || url.port().is_some() {
            return None;
        }
        let path = url.path();
        if path.len() < 2 || path.len() > 512 || path.contains("..") || path.contains("//") {
            return None;
        }
        Some(format!("{}{path}?param={px}y{px}", self.images))
    }

    #[must_use]
    pub fn base(&self, host: Host) -> &str {
        match host {
            Host::Web => &self.web,
            Host::Api => &self.api,
            Host::Eapi => &self.eapi,
            Host::Xeapi => &self.xeapi,
            Host::Clientlog => &self.clientlog,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_base_for_all_hosts() {
        let hosts = ApiHosts::all("http://127.0.0.1:3000/").unwrap();
        for host in [
            Host::Web,
            Host::Api,
            Host::Eapi,
            Host::Xeapi,
            Host::Clientlog,
        ] {
            assert_eq!(hosts.base(host), "http://127.0.0.1:3000");
        }
        assert!(ApiHosts::all("ftp://x").is_err());
        assert!(ApiHosts::all("not a url").is_err());
        assert!(ApiHosts::all("http://x/?a=1").is_err());
    }

    #[test]
    fn covers_come_only_from_neteases_image_hosts() {
        let real = ApiHosts::default();
        assert_eq!(
            real.cover_url("http://p2.music.126.net/abc/109951.jpg", 256)
                .as_deref(),
            Some("https://p1.music.126.net/abc/109951.jpg?param=256y256")
        );
        assert_eq!(
            real.cover_url("https://music.126.net/x.jpg?param=1y1", 1024)
                .as_deref(),
            Some("https://p1.music.126.net/x.jpg?param=1024y1024")
        );
        for hostile in [
            "https://evil.example/x.jpg",
            "https://music.126.net.evil.example/x.jpg",
            "https://evilmusic.126.net/x.jpg",
            "file:///etc/passwd",
            "https://p1.music.126.net:8443/x.jpg",
            "https://p1.music.126.net/",
            "http://127.0.0.1/x.jpg",
            "not a url",
        ] {
            assert_eq!(real.cover_url(hostile, 256), None, "{hostile}");
        }
        // Dot segments are resolved by the parser: the path stays on the image host.
        assert_eq!(
            real.cover_url("https://p1.music.126.net/a/../../b.jpg", 256)
                .as_deref(),
            Some("https://p1.music.126.net/b.jpg?param=256y256")
        );
        let test = ApiHosts::all("http://127.0.0.1:3000").unwrap();
        assert_eq!(
            test.cover_url("http://p1.music.126.net/emulator/1.jpg", 256)
                .as_deref(),
            Some("http://127.0.0.1:3000/emulator/1.jpg?param=256y256")
        );
    }

    #[test]
    fn a_test_weapi_key_is_taken_only_with_a_test_address() {
        let key = format!("c{}1", "0".repeat(254));
        let hosts = ApiHosts::from_vars(Some("http://127.0.0.1:3000"), Some(&key)).unwrap();
        assert_eq!(hosts.weapi_key.modulus_hex(), key);
        assert!(!hosts.weapi_key.is_netease());
        // Without a base URL NetEase's own hosts and key are used, whatever the key says.
        let real = ApiHosts::from_vars(None, Some(&key)).unwrap();
        assert_eq!(real, ApiHosts::default());
        assert!(real.weapi_key.is_netease());
        let real = ApiHosts::from_vars(Some("  "), Some(&key)).unwrap();
        assert!(real.weapi_key.is_netease());
        assert!(
            ApiHosts::from_vars(Some("http://127.0.0.1:3000"), None)
                .unwrap()
                .weapi_key
                .is_netease()
        );
        assert!(ApiHosts::from_vars(Some("http://127.0.0.1:3000"), Some("nope")).is_err());
    }
}
