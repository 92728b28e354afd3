//! The language a target is written in, so hints speak of its own API.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The program's language, known from its command, file or binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgramLanguage {
    /// Python (`socket`, `recv()` returns `b''`).
    #[default]
    Python,
    /// C or C++ (`read()`/`recv()` return 0).
    C,
    /// Node.js (`net`, `dgram`; the `'end'` event).
    Node,
    /// Java (`InputStream.read()` returns -1).
    Java,
    /// Go (`io.EOF`).
    Go,
    /// Rust (`read` returns `Ok(0)`).
    Rust,
    /// A shell script or a tool (socat, nc, curl).
    Shell,
}

impl ProgramLanguage {
    /// The language's name, as catalog selectors use it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProgramLanguage::Python => "python",
            ProgramLanguage::C => "c",
            ProgramLanguage::Node => "node",
            ProgramLanguage::Java => "java",
            ProgramLanguage::Go => "go",
            ProgramLanguage::Rust => "rust",
            ProgramLanguage::Shell => "shell",
        }
    }
}

impl fmt::Display for ProgramLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
