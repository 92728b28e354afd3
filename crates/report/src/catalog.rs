//! The message catalog: every diagnosis, hint, label and title in Chinese and
//! English, written in Project Fluent (`locales/<lang>/*.ftl`), rendered from
//! [`Message`]s.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use sockspec_results::{Arg, CheckInfo, Message};
use sockspec_wire::render::preview_of;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// A language the catalog speaks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese, as the course's students read it.
    Zh,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The language's code (`en`, `zh`).
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The language the environment asks for: the first of `LC_ALL`,
    /// `LC_MESSAGES`, `LANG` that is set; `zh_*` gives Chinese, anything else English.
    pub fn from_env() -> Lang {
        Lang::from_locale(
            ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .filter_map(|v| std::env::var(v).ok())
                .find(|v| !v.is_empty())
                .as_deref(),
        )
    }

    /// The language of a POSIX locale name (`zh_CN.UTF-8` is Chinese).
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale {
            Some(l) if l.starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// The catalog in this language.
    pub fn catalog(self) -> &'static Catalog {
        static EN: OnceLock<Catalog> = OnceLock::new();
        static ZH: OnceLock<Catalog> = OnceLock::new();
        match self {
            Lang::En => EN.get_or_init(|| Catalog::load(Lang::En)),
            Lang::Zh => ZH.get_or_init(|| Catalog::load(Lang::Zh)),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lang {
    type Err = sockspec_results::UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                sockspec_results::UnknownName::new("language", s, Lang::ALL.map(Lang::as_str))
            })
    }
}

/// The catalog's files, by language: (file name, text).
pub const SOURCES: [(Lang, &[(&str, &str)]); 2] = [
    (
        Lang::En,
        &[
            ("common.ftl", include_str!("../locales/en/common.ftl")),
            ("report.ftl", include_str!("../locales/en/report.ftl")),
            ("udp.ftl", include_str!("../locales/en/udp.ftl")),
            ("tcp.ftl", include_str!("../locales/en/tcp.ftl")),
            ("broadcast.ftl", include_str!("../locales/en/broadcast.ftl")),
            ("http.ftl", include_str!("../locales/en/http.ftl")),
            ("titles.ftl", include_str!("../locales/en/titles.ftl")),
        ],
    ),
    (
        Lang::Zh,
        &[
            ("common.ftl", include_str!("../locales/zh/common.ftl")),
            ("report.ftl", include_str!("../locales/zh/report.ftl")),
            ("udp.ftl", include_str!("../locales/zh/udp.ftl")),
            ("tcp.ftl", include_str!("../locales/zh/tcp.ftl")),
            ("broadcast.ftl", include_str!("../locales/zh/broadcast.ftl")),
            ("http.ftl", include_str!("../locales/zh/http.ftl")),
            ("titles.ftl", include_str!("../locales/zh/titles.ftl")),
        ],
    ),
];

/// The messages of one language.
pub struct Catalog {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Catalog({})", self.lang)
    }
}

impl Catalog {
    fn load(lang: Lang) -> Catalog {
        let locale = match lang {
            Lang::En => unic_langid::langid!("en"),
            Lang::Zh => unic_langid::langid!("zh"),
        };
        let mut bundle = FluentBundle::new_concurrent(vec![locale]);
        bundle.set_use_isolating(false);
        let files = SOURCES
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or(&[][..], |(_, files)| files);
        for (name, text) in files {
            // The catalog is compiled in; its tests prove every file parses.
            let resource =
                FluentResource::try_new((*text).to_string()).unwrap_or_else(|(partial, _)| partial);
            if let Err(errors) = bundle.add_resource(resource) {
                debug_assert!(errors.is_empty(), "{name}: {errors:?}");
            }
        }
        Catalog { lang, bundle }
    }

    /// The catalog's language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Whether the catalog has a message with this ID.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// `message` in this language. A message the catalog lacks renders as its
    /// ID and arguments (a test keeps that from happening).
    pub fn render(&self, message: &Message) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &message.args {
            args.set(name.as_ref(), self.value(value));
        }
        self.format(&message.id, Some(&args))
            .unwrap_or_else(|| format!("{} {:?}", message.id, message.args))
    }

    /// A label without arguments (`label-pass`); its ID when missing.
    pub fn label(&self, id: &str) -> String {
        self.format(id, None).unwrap_or_else(|| id.to_string())
    }

    /// A check's title in this language (`title-udp-server-reply`), else its English title.
    pub fn title(&self, check: &CheckInfo) -> String {
        self.format(&title_id(check.id), None)
            .unwrap_or_else(|| check.title.to_string())
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        Some(
            self.bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned(),
        )
    }

    fn value(&self, arg: &Arg) -> FluentValue<'static> {
        match arg {
            Arg::Int(n) => FluentValue::from(*n),
            Arg::Float(x) => FluentValue::from(format!("{x:.2}")),
            Arg::Text(t) => FluentValue::from(t.clone()),
            Arg::Bytes(b) => FluentValue::from(self.bytes(b)),
            Arg::Excerpt { head, len } => FluentValue::from(self.bytes_of(head, *len)),
            Arg::Addr(a) => FluentValue::from(a.to_string()),
            Arg::Millis(ms) => FluentValue::from(*ms),
            Arg::Msg(m) => FluentValue::from(self.render(m)),
        }
    }

    /// Bytes as a diagnosis quotes them: `"hello\n" (6 bytes)`.
    pub fn bytes(&self, bytes: &[u8]) -> String {
        self.bytes_of(bytes, bytes.len())
    }

    /// The first bytes `head` of `len` bytes, quoted as [`Catalog::bytes`] does.
    pub fn bytes_of(&self, head: &[u8], len: usize) -> String {
        let text = preview_of(head, len, 48);
        let mut args = FluentArgs::new();
        args.set("text", text.clone());
        args.set("len", len);
        self.format("bytes-quoted", Some(&args))
            .unwrap_or_else(|| format!("\"{text}\" ({len} bytes)"))
    }
}

/// The catalog ID of a check's title: `udp.server.reply` → `title-udp-server-reply`.
pub fn title_id(check_id: &str) -> String {
    format!("title-{}", check_id.replace('.', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockspec_results::msg;

    #[test]
    fn locales_choose_the_language() {
        assert_eq!(Lang::from_locale(Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn arguments_render_in_each_language() {
        let m = msg!("state-exited", code = 1);
        assert_eq!(Lang::En.catalog().render(&m), "it exited with status 1");
        assert!(Lang::Zh.catalog().render(&m).contains('1'));
        assert_eq!(Lang::En.catalog().bytes(b"hi\n"), "\"hi\\n\" (3 bytes)");
    }
}
