//! The list of lessons and challenges with their progress marks, and the reset.

use yew::prelude::*;

use selfpage_core::challenges;
use selfpage_core::lessons::Lesson;

use super::{mark, open_lesson, LessonsProps, Ui};
use crate::lesson::{self as classroom, Mark, Progress};
use crate::state::Action;

/// The list of lessons with their marks, and the reset.
pub(super) fn list(props: &LessonsProps, ui: &UseStateHandle<Ui>, all: &[Lesson]) -> Html {
    let reset = {
        let ui = ui.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*ui).clone();
            next.progress = Progress::default();
            next.answers.clear();
            next.notice = None;
            next.progress.save();
            ui.set(next);
        })
    };
    let done = all.iter().filter(|l| mark(ui, l) == Mark::Complete).count();
    html! {
        <div class="lesson-list-wrap">
            <p class="lesson-intro">{ format!("{} guided lessons on self-paging. Each loads its scenario, ticks its steps as you reach them, and grades your answers against the run itself.", all.len()) }</p>
            <ol class="lesson-list" id="lesson-list">
                { for all.iter().map(|l| {
                    let m = mark(ui, l);
                    let (sign, label, class) = match m {
                        Mark::Complete => ("✓", "complete", "complete"),
                        Mark::Started => ("◐", "started", "started"),
                        Mark::New => ("", "not started", "new"),
                    };
                    let onclick = {
                        let (state, ui, lesson) = (props.state.clone(), ui.clone(), l.clone());
                        Callback::from(move |_: MouseEvent| open_lesson(&state, &ui, &lesson, 0))
                    };
                    html! {
                        <li>
                            <button class="lesson-item" id={format!("open-lesson-{}", l.number)} data-mark={class} {onclick}>
                                <span class={classes!("mark", class)} aria-label={label} title={label}>{ sign }</span>
                                <span class="lesson-num">{ l.number }</span>
                                <span class="lesson-name">{ &l.title }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <h4 class="list-head">{"Challenges"}</h4>
            <ol class="lesson-list" id="challenge-list">
                { for challenges::all().unwrap_or_default().into_iter().map(|c| {
                    let onclick = {
                        let (state, ui) = (props.state.clone(), ui.clone());
                        let c = c.clone();
                        Callback::from(move |_: MouseEvent| {
                            let mut next = (*ui).clone();
                            next.challenge = Some(c.number);
                            ui.set(next);
                            if let Ok(s) = c.start_scenario() {
                                state.dispatch(Action::Load(Box::new(s)));
                            }
                            classroom::store_query(&format!("?challenge={}", c.number));
                        })
                    };
                    html! {
                        <li>
                            <button class="lesson-item" id={format!("open-challenge-{}", c.number)} {onclick}>
                                <span class="mark challenge-mark" aria-hidden="true">{"★"}</span>
                                <span class="lesson-num">{ c.number }</span>
                                <span class="lesson-name">{ &c.title }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <p class="lesson-progress muted small">
                { format!("{done} of {} complete · progress is kept in this browser ", all.len()) }
                <button class="link" id="progress-reset" onclick={reset}>{"Reset progress"}</button>
            </p>
        </div>
    }
}
