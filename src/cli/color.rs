//! The one place colour is decided: `--color`, then NO_COLOR, CLICOLOR_FORCE, TERM=dumb, then
//! whether stdout is a terminal. Renderers only receive the answer, as a palette.

use std::io::IsTerminal;

use super::args::ColorChoice;
use crate::render::Palette;

/// The palette for stdout: coloured or plain, decided from the flag and the environment.
pub fn decide(choice: ColorChoice) -> Palette {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env("NO_COLOR").is_some() {
                false
            } else if env("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                true
            } else if env("TERM").is_some_and(|t| t == "dumb") {
                false
            } else {
                std::io::stdout().is_terminal()
            }
        }
    };
    Palette::for_color(color)
}
