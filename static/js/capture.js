// Audio capture on the live page: the microphone, plus the shared tab's audio where
// the browser offers it (getDisplayMedia), mixed with WebAudio and recorded as
// webm/opus chunks that go over /ws/interviews/<id>/audio/ to the server, which
// relays them to the speech service. The speech service's key stays on the server.
//
// The server reports the speech service's state as {"type": "stt", "state": ...}:
// shown in the status line. If this page's own socket drops, it reconnects and
// starts a fresh recording, because a webm stream's header is only in its first
// chunk and a new server-side relay needs it.
//
// While capturing, the recorder sends a chunk every TIMESLICE_MS without pause (there
// is no mute): the server takes a few seconds without one as this page being gone
// (a closed lid, a lost network) and closes the socket with 4408
// (AUDIO_BROWSER_SILENCE_SECONDS). If the page is in fact still here, that close is
// a dropped connection like any other: it reconnects, it does not stop.
(function () {
  "use strict";
  const box = document.getElementById("capture");
  if (!box) return;
  const t = (s) => (window.gettext ? window.gettext(s) : s);
  const el = (id) => document.getElementById(id);
  const startButton = el("capture-start");
  const stopButton = el("capture-stop");
  const level = el("capture-level");
  const statusLine = el("capture-status");
  const tabChoice = el("capture-tab");

  // Close codes after which retrying cannot help. Any other (1006 the connection
  // dropped, 4408 the server heard nothing from this page for a while) reconnects.
  const FINAL_CODES = {
    4400: t("The capture request was refused."),
    4401: t("Your session has ended; sign in again."),
    4403: t("Only the interview's interviewer or staff may capture audio."),
    4404: t("This interview no longer exists."),
    4409: t("The interview is not live: start it first."),
    4503: t("Speech-to-text is not available on the server."),
  };
  const TIMESLICE_MS = 250;

  const capture = {
    running: false,
    stopping: false,
    socket: null,
    recorder: null,
    streams: [],
    context: null,
    mixed: null,
    meterTimer: null,
    retry: 0,
    retryTimer: null,
    sentBytes: 0,
    lastCloseCode: null,
  };
  // Tests and curious people can look at what was sent.
  box.capture = capture;

  function setStatus(state, text) {
    statusLine.textContent = text;
    statusLine.dataset.state = state;
    box.dataset.state = state;
  }

  function pickMimeType() {
    const options = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"];
    for (const type of options) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported(type)) return type;
    }
    return "";
  }

  async function openInputs() {
    const microphone = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    capture.streams.push(microphone);
    const sources = [microphone];
    if (tabChoice && tabChoice.checked && navigator.mediaDevices.getDisplayMedia) {
      try {
        // Browsers only share a tab's audio together with its video; the video
        // track is stopped at once.
        const shared = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
        shared.getVideoTracks().forEach((track) => track.stop());
        if (shared.getAudioTracks().length) {
          capture.streams.push(shared);
          sources.push(shared);
        } else {
          setStatus("warning", t("The shared tab has no audio; capturing the microphone only."));
        }
      } catch (error) {
        setStatus("warning", t("No tab shared; capturing the microphone only."));
      }
    }
    const context = new AudioContext();
    await context.resume();
    const destination = context.createMediaStreamDestination();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    for (const stream of sources) {
      const source = context.createMediaStreamSource(new MediaStream(stream.getAudioTracks()));
      source.connect(destination);
      source.connect(analyser);
    }
    capture.context = context;
    capture.mixed = destination.stream;
    const samples = new Float32Array(analyser.fftSize);
    capture.meterTimer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const value of samples) sum += value * value;
      level.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
    }, 100);
  }

  function socketUrl() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + box.dataset.audioUrl;
  }

  function startRecorder() {
    const mimeType = pickMimeType();
    const recorder = new MediaRecorder(capture.mixed, mimeType ? { mimeType } : {});
    const socket = capture.socket;
    recorder.ondataavailable = (event) => {
      if (event.data && event.data.size && socket.readyState === WebSocket.OPEN) {
        socket.send(event.data);
        capture.sentBytes += event.data.size;
      }
    };
    recorder.onstop = () => {
      // The last chunk has been delivered: ask the server to flush and close.
      if (capture.stopping && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "stop" }));
      }
    };
    recorder.start(TIMESLICE_MS);
    capture.recorder = recorder;
  }

  function stopRecorder() {
    if (capture.recorder && capture.recorder.state !== "inactive") capture.recorder.stop();
    capture.recorder = null;
  }

  function connect() {
    setStatus("connecting", t("Connecting…"));
    const socket = new WebSocket(socketUrl());
    capture.socket = socket;
    socket.onopen = () => {
      capture.retry = 0;
      startRecorder();
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type !== "stt") return;
      let text = message.message || message.state;
      if (message.state === "live" && !message.message) text = t("Transcribing.");
      setStatus(message.buffer_full ? "warning" : message.state, text);
    };
    socket.onclose = (event) => {
      if (capture.socket !== socket) return;
      capture.socket = null;
      capture.lastCloseCode = event.code;
      const wasStopping = capture.stopping;
      stopRecorder();
      if (wasStopping || event.code === 1000) {
        finish(t("Capture stopped."));
        return;
      }
      if (FINAL_CODES[event.code]) {
        finish(FINAL_CODES[event.code], "error");
        return;
      }
      // Our own connection dropped: reconnect and start a fresh recording.
      const delay = Math.min(15000, 500 * 2 ** capture.retry++);
      setStatus("reconnecting", t("Connection to the server lost; reconnecting…"));
      capture.retryTimer = setTimeout(connect, delay);
    };
  }

  function finish(text, state) {
    clearTimeout(capture.retryTimer);
    clearInterval(capture.meterTimer);
    capture.streams.forEach((stream) => stream.getTracks().forEach((track) => track.stop()));
    capture.streams = [];
    if (capture.context) capture.context.close();
    capture.context = null;
    capture.running = false;
    capture.stopping = false;
    level.value = 0;
    startButton.disabled = false;
    stopButton.disabled = true;
    setStatus(state || "stopped", text);
  }

  async function start() {
    if (capture.running) return;
    capture.running = true;
    startButton.disabled = true;
    try {
      await openInputs();
    } catch (error) {
      finish(t("The microphone is not available: ") + (error.message || error.name), "error");
      return;
    }
    stopButton.disabled = false;
    connect();
  }

  function stop() {
    if (!capture.running) return;
    capture.stopping = true;
    stopButton.disabled = true;
    setStatus("stopping", t("Stopping; waiting for the last words…"));
    if (capture.socket && capture.socket.readyState === WebSocket.OPEN) {
      stopRecorder(); // onstop sends {"type": "stop"}; the server closes when done
    } else {
      if (capture.socket) capture.socket.close();
      finish(t("Capture stopped."));
    }
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  window.addEventListener("beforeunload", () => {
    if (capture.running) stop();
  });
})();
