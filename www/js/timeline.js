// Time travel: the Time slider and the note shown while viewing the past.
import { $ } from './dom.js';
import { state } from './state.js';

/// The time slider (0 to the horizon, at the shown tick) and, in the past,
/// the note that acting there forks the run.
export function drawTime(v) {
  const horizon = state.pg.horizon();
  const slider = $('time');
  slider.max = String(horizon);
  slider.value = String(v.tick);
  $('time-out').textContent = `${v.tick} / ${horizon}`;
  slider.setAttribute('aria-valuetext', `tick ${v.tick} of ${horizon}`);
  $('back').disabled = v.tick === 0;
  const note = $('past-note');
  note.hidden = v.tick >= horizon;
  if (!note.hidden) {
    note.textContent = `Viewing tick ${v.tick} of ${horizon} — acting here forks the run: later actions are dropped.`;
  }
}
