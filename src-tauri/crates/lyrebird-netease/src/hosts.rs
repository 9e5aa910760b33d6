//! Where requests go. [`ApiHosts::from_env`] reads `LYREBIRD_NETEASE_API`, which sends every
//! request to one base URL (a fake server in tests, a proxy, a mirror).

use crate::NeteaseError;

/// The environment variable that points every host at one base URL.
pub const API_OVERRIDE_ENV: &str = "LYREBIRD_NETEASE_API";

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

/// Base URLs (scheme and host, no trailing slash) of each [`Host`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiHosts {
    pub web: String,
    pub api: String,
    pub eapi: String,
    pub xeapi: String,
    pub clientlog: String,
}

impl Default for ApiHosts {
    fn default() -> Self {
        Self {
            web: "https://music.163.com".to_owned(),
            api: "https://interface.music.163.com".to_owned(),
            eapi: "https://interfacepc.music.163.com".to_owned(),
            xeapi: "https://interface3.music.163.com".to_owned(),
            clientlog: "https://clientlog.music.163.com".to_owned(),
        }
    }
}

impl ApiHosts {
    /// NetEase's own hosts, or all of them replaced by `$LYREBIRD_NETEASE_API` when it is set
    /// and not empty.
    pub fn from_env() -> Result<Self, NeteaseError> {
        match std::env::var(API_OVERRIDE_ENV) {
            Ok(base) if !base.trim().is_empty() => Self::all(&base),
            _ => Ok(Self::default()),
        }
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
        })
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
}
