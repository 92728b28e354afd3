//! sockspec-reference: a correct implementation of every role sockspec checks.
//!
//! The catalog runs against these in-process in sockspec's own tests, and
//! `sockspec reference ROLE` runs them as programs. They depend on nothing but
//! std, tokio, socket2 and nix (an idle probe polls their sockets).

pub mod activity;
pub mod broadcast;
pub mod http;
pub mod tcp;
pub mod udp;
