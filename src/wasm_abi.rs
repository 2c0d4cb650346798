//! A minimal C-style export for `wasm32` builds, so a plain WebAssembly host
//! (node, a browser) can run a classic test case and read back its
//! `dbg.log` — the proof that the simulation gives byte-identical traces in
//! WebAssembly and natively (`tests/wasm/determinism.test.mjs`).

use std::cell::RefCell;

use crate::classic;
use crate::dbglog;

thread_local! {
    static LAST: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs classic test case `case` (0..7, in [`classic::CASES`] order) with `seed`
/// and keeps its `dbg.log` (or an error message); returns its length in
/// bytes. Read it with [`ftkv_text_ptr`].
#[no_mangle]
pub extern "C" fn ftkv_classic_log(case: u32, seed: u64) -> u32 {
    let test = classic::CASES
        .get(case as usize)
        .and_then(|name| classic::builtin(name));
    let text = match test {
        None => format!("error: no classic test case {case}"),
        Some(test) => match classic::run(&test, seed) {
            Ok(sim) => dbglog::render(sim.events()),
            Err(e) => format!("error: {e}"),
        },
    };
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        *last = text;
        last.len() as u32
    })
}

/// Where the text kept by the last call lives in linear memory.
#[no_mangle]
pub extern "C" fn ftkv_text_ptr() -> *const u8 {
    LAST.with(|last| last.borrow().as_ptr())
}
