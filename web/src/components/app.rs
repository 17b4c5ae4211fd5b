//! The page: header, controls, and the panes around one session.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use selfpage_core::presets;

use super::{
    c_source::CSource,
    compare::Compare,
    curves::Curves,
    editor::Editor,
    events::EventLog,
    files::Files,
    frame_map::FrameMap,
    lessons::{use_lessons_key, Lessons},
    refstring::RefString,
    registers::Registers,
    stats::Stats,
    tasks::Tasks,
};
use super::{timeline::Timeline, tlb::TlbView, toolbar::Toolbar, walk::Walk};
use crate::state::{now_ms, Action, AppState, Pane};

/// Props shared by every pane: the app state handle and the pane's count
/// (`AppState::view`), so while running it redraws a few times a second, in turn with the
/// other panes.
#[derive(Properties, PartialEq, Clone)]
pub struct PaneProps {
    /// The app state and its dispatcher.
    pub state: UseReducerHandle<AppState>,
    /// `AppState::view` of this pane.
    pub view: u64,
}

/// Props of a live view, which redraws on every change of the session (every frame while
/// running): the state and its `tick`.
#[derive(Properties, PartialEq, Clone)]
pub struct LiveProps {
    /// The app state and its dispatcher.
    pub state: UseReducerHandle<AppState>,
    /// `AppState::tick`.
    pub tick: u64,
}

/// The built-in scenarios as (key, title), read once: each title comes from parsing a preset.
fn preset_titles() -> Vec<(&'static str, String)> {
    presets::scenario_names()
        .into_iter()
        .map(|n| (n, presets::scenario(n).map(|s| s.name).unwrap_or_default()))
        .collect()
}

/// The whole playground.
#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::initial);
    let presets = use_memo((), |_| preset_titles());
    use_animation_loop(&state);
    use_shortcuts(&state);
    use_redraw_timing(&state);
    let lessons_open = use_state(|| false);
    use_lessons_key(lessons_open.clone());
    let on_lessons = {
        let open = lessons_open.clone();
        Callback::from(move |v: bool| open.set(v))
    };
    let toggle_lessons = {
        let open = lessons_open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };

    let on_preset = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            match presets::scenario(&sel.value()) {
                Some(s) => state.dispatch(Action::Load(Box::new(s))),
                None => state.dispatch(Action::Fail(format!(
                    "no built-in scenario '{}'",
                    sel.value()
                ))),
            }
        })
    };
    let ready = if state.session.is_some() {
        "true"
    } else {
        "false"
    };
    html! {
        <main id="selfpage" data-ready={ready} data-tick={state.tick.to_string()}>
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <h1>{"Selfpage"}</h1>
                    <span class="tagline">{"tasks that page themselves — physmem, libhurd-mm and an i386, after the GNU Hurd on L4"}</span>
                </div>
                <button class={classes!("lessons-toggle", lessons_open.then_some("on"))} id="btn-lessons" aria-keyshortcuts="l" aria-pressed={lessons_open.to_string()} title="Guided lessons (l)" onclick={toggle_lessons}>{"Lessons"}</button>
                <Files state={state.clone()} view={state.view(Pane::Files)} />
                <label class="preset">
                    {"Scenario "}
                    <select aria-label="Built-in scenario" onchange={on_preset}>
                        if !presets.iter().any(|(_, title)| *title == state.scenario.name) {
                            <option value="" selected=true disabled=true>{ format!("{} (yours)", state.scenario.name) }</option>
                        }
                        { for presets.iter().map(|(key, title)| html! {
                            <option value={*key} selected={*title == state.scenario.name}>{ title.clone() }</option>
                        }) }
                    </select>
                </label>
            </header>
            <Toolbar state={state.clone()} tick={state.tick} />
            if let Some(err) = &state.error {
                <div class="error-banner" role="alert" id="error">{ err }</div>
            }
            <div class={classes!("body", lessons_open.then_some("with-lesson"))}>
            <Lessons state={state.clone()} tick={state.tick} open={*lessons_open} on_open={on_lessons} />
            <div class="main-area">
            <div class="workspace">
                <section class="pane pane-editor"><Editor state={state.clone()} view={state.view(Pane::Editor)} /></section>
                <section class="pane pane-center">
                    <FrameMap state={state.clone()} tick={state.tick} />
                    <Stats state={state.clone()} view={state.view(Pane::Stats)} />
                    <Timeline state={state.clone()} view={state.view(Pane::Timeline)} />
                </section>
                <section class="pane pane-right">
                    <Registers state={state.clone()} view={state.view(Pane::Registers)} />
                    <CSource state={state.clone()} view={state.view(Pane::Registers)} />
                    <Walk state={state.clone()} view={state.view(Pane::Walk)} />
                    <TlbView state={state.clone()} view={state.view(Pane::Tlb)} />
                    <Tasks state={state.clone()} view={state.view(Pane::Tasks)} />
                </section>
            </div>
            <div class="analysis">
                <section class="pane"><Compare state={state.clone()} generation={state.compare_gen} /></section>
                <section class="pane"><RefString /></section>
            </div>
            <section class="pane pane-curves"><Curves state={state.clone()} /></section>
            <section class="pane pane-events"><EventLog state={state.clone()} view={state.view(Pane::Events)} /></section>
            </div>
            </div>
        </main>
    }
}

/// While running (or comparing policies), dispatches one `Frame` per animation frame.
#[hook]
fn use_animation_loop(state: &UseReducerHandle<AppState>) {
    let deps = (
        state.running || state.comparing(),
        state.tick,
        state.compare_gen,
    );
    let state = state.clone();
    use_effect_with(deps, move |&(running, _, _)| {
        let mut pending = None;
        if running {
            if let Some(window) = web_sys::window() {
                let s = state.clone();
                let cb = Closure::once(move || s.dispatch(Action::Frame));
                if let Ok(id) = window.request_animation_frame(cb.as_ref().unchecked_ref()) {
                    pending = Some((window, id, cb));
                }
            }
        }
        move || {
            if let Some((window, id, _cb)) = pending {
                let _ = window.cancel_animation_frame(id);
            }
        }
    });
}

/// Tells the pacer when the views finished redrawing after a slice of the run (effects of
/// children run before their parent's, so this one runs after every pane's canvas drew),
/// and when the browser has rendered the frame: a message posted then arrives after the
/// frame's style, layout, paint and commit.
#[hook]
fn use_redraw_timing(state: &UseReducerHandle<AppState>) {
    let pacer = state.pacer.clone();
    let after_render = use_memo((), {
        let pacer = pacer.clone();
        move |_| AfterRender::new(move || pacer.borrow_mut().rendered(now_ms()))
    });
    use_effect_with((state.tick, state.compare_gen), move |_| {
        if pacer.borrow_mut().redrawn(now_ms()) {
            if let Some(a) = after_render.as_ref() {
                a.post();
            }
        }
    });
}

/// A message channel that calls back once the main thread is free after the current task
/// (for a redraw in an animation frame: after the browser rendered that frame).
struct AfterRender {
    channel: web_sys::MessageChannel,
    _on_message: Closure<dyn FnMut()>,
}

impl AfterRender {
    fn new(f: impl FnMut() + 'static) -> Option<AfterRender> {
        let channel = web_sys::MessageChannel::new().ok()?;
        let on_message = Closure::<dyn FnMut()>::new(f);
        channel
            .port1()
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(AfterRender {
            channel,
            _on_message: on_message,
        })
    }

    /// Calls back after the current task.
    fn post(&self) {
        let _ = self.channel.port2().post_message(&JsValue::NULL);
    }
}

impl Drop for AfterRender {
    fn drop(&mut self) {
        self.channel.port1().set_onmessage(None);
    }
}

/// Keyboard shortcuts, outside text fields: s step, n step line, f next fault, i next IPC,
/// space run/pause, b step back, r reset, g go to the selected trace record.
#[hook]
fn use_shortcuts(state: &UseReducerHandle<AppState>) {
    let state = state.clone();
    let deps = (state.running, state.selected_event);
    use_effect_with(deps, move |&(running, selected)| {
        crate::keys::on_shortcut(move |e| {
            // Space activates a focused button or list item; only elsewhere is it Run.
            let on_control = crate::keys::target(e).is_some_and(|el| {
                matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY")
                    || el.has_attribute("role")
            });
            let action = match e.key().as_str() {
                "s" => Action::Step,
                "n" => Action::StepLine,
                "f" => Action::StepTo("fault"),
                "i" => Action::StepTo("ipc"),
                "b" => Action::StepBack,
                "r" => Action::Reset,
                "g" => match selected {
                    Some(seq) => Action::GoToEvent(seq),
                    None => return,
                },
                " " if on_control => return,
                " " if running => Action::Pause,
                " " => Action::Run,
                _ => return,
            };
            e.prevent_default();
            state.dispatch(action);
        })
    });
}
