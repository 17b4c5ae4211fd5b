//! Explain mode: a small "?" in a pane's heading that says what the pane shows and how to
//! read it, with a link to the lesson that teaches it.

use yew::prelude::*;

use crate::markdown::inline;

/// What each pane shows: (card id, explanation, lesson that teaches it).
const TEXTS: &[(&str, &str, usize)] = &[
    ("frames", "Every square is one physical frame, coloured by the task whose page it holds; grey frames hold the kernel's page tables, white ones are free. A small orange corner marks an *extra* frame: held beyond the task's guarantee, so physmem may ask for it back. Click a frame to see its owner, page and state.", 6),
    ("timeline", "The latest page fault as a sequence diagram: the thread's fault IPC to its pager (label `0xFFE4` is `0xFFE0` plus the access bits: 4 = read, 6 = write), the pager's RPCs to physmem, the kernel writing the PTE, and the empty reply that restarts the instruction. The chips above pick an earlier fault.", 1),
    ("walk", "The i386 walk of one virtual address: the page-directory entry (bits 31–22), then the page-table entry (bits 21–12), then the offset. `P` is present, `RW` writable, `US` user, `A` accessed, `D` dirty; a PTE that is not present raises #PF on any access.", 1),
    ("tlb", "The translations the MMU has cached, and how often a lookup hit the cache or had to walk the page tables. When the kernel changes a PTE it must drop the cached copy (INVLPG), or the CPU keeps using the old frame.", 9),
    ("tasks", "Each task with its guarantee, its extra frames and the frames it holds, and its pager's eviction order: the page at the front of the queue is the next victim. A task that ignores physmem's pressure requests loses frames by force.", 6),
    ("cpu", "The registers of the task shown, with EIP's instruction highlighted. After a #PF, EIP still points at the faulting instruction (it has not retired) and CR2 holds the faulting address.", 1),
    ("stats", "Counters over logical time: faults, page-ins and page-outs, frames held. Logical time advances with every instruction, every IPC leg (100 units) and every page-in or page-out (5,000 units).", 3),
    ("events", "The trace: every fault, IPC, RPC, mapping, pager decision and eviction, in order, each with its logical time. Select a record to show it in the timeline and walk; `g` rewinds the machine to it.", 1),
    ("editor", "The tasks' x86 programs (NASM syntax) and their settings: guaranteed and extra frames, the eviction policy, whether the task ignores memory pressure. Assemble & load boots the scenario again with your changes.", 3),
    ("compare", "Runs the same scenario once per live policy and tabulates faults and time. It shows which policy suits this program's access pattern: LRU loses to MRU on a cyclic scan, and any live policy loses to OPT, which knows the future.", 3),
];

/// Props of a "?" button.
#[derive(Properties, PartialEq, Clone)]
pub struct ExplainProps {
    /// The pane's card id.
    pub pane: AttrValue,
}

/// The "?" of one pane.
#[component]
pub fn Explain(props: &ExplainProps) -> Html {
    let open = use_state(|| false);
    let Some((_, text, lesson)) = TEXTS.iter().find(|(id, _, _)| *id == props.pane.as_str()) else {
        return html! {};
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            open.set(!*open);
        })
    };
    html! {
        <span class="explain">
            <button class="explain-btn" id={format!("explain-{}", props.pane)} aria-expanded={open.to_string()} title="What is this?" aria-label="What does this pane show?" onclick={toggle}>{"?"}</button>
            if *open {
                <span class="explain-pop" role="note">
                    { inline(text) }{ " " }
                    <a class="explain-lesson" href={format!("?lesson={lesson}")}>{ format!("Lesson {lesson} →") }</a>
                </span>
            }
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::TEXTS;

    #[test]
    fn every_explanation_is_two_or_three_sentences_and_links_a_lesson() {
        for (pane, text, lesson) in TEXTS {
            let sentences = text.matches(". ").count() + 1;
            assert!(
                (2..=4).contains(&sentences),
                "{pane}: {sentences} sentences"
            );
            assert!(selfpage_core::lessons::lesson(*lesson).is_ok(), "{pane}");
        }
    }
}
