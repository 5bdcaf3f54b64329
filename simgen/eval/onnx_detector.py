"""The user's own 2D detector, an ONNX file run with onnxruntime: ``--model onnx --model-arg
path=FILE.onnx``. Users regression-test the model they ship, not a stand-in.

The image is letterboxed and normalised the way the chosen ``layout``'s export expects, the
outputs decoded by ``simgen.eval.detector_decoding``, and the classes (COCO's 80 by default)
mapped to the types the evaluation scores through the one class table (``person`` ->
Pedestrian, ``car`` -> Car, ``truck`` -> Truck, ``bicycle``/``motorcycle`` -> Cyclist, ``bus``
-> Misc); ``classes=car:Car,bus:Car`` overrides it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simgen.eval.detector_decoding import (
    LAYOUTS,
    Candidates,
    DecodingError,
    Letterbox,
    candidates,
    clip_to_image,
    decode_nanodet,
    decode_yolo,
    letterbox,
    nms,
)
from simgen.eval.errors import ModelLoadError
from simgen.eval.protocol import Detection2D, FrameInput, Predictions

# COCO 2017's 80 detection classes in the order every COCO-trained export numbers them
COCO_NAMES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
    "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
    "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
    "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant",
    "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush",
)  # fmt: skip
# the older (Darknet/VOC-style) spellings some names files use for the same classes
ALIASES = {
    "motorbike": "motorcycle",
    "aeroplane": "airplane",
    "sofa": "couch",
    "pottedplant": "potted plant",
    "diningtable": "dining table",
    "tvmonitor": "tv",
}


@dataclass(frozen=True)
class InputSpec:
    """How a layout's export expects its input tensor (NCHW float32)."""

    channels: str  # "rgb" or "bgr"
    mean: tuple[float, float, float]  # subtracted per channel, in the tensor's channel order
    std: tuple[float, float, float]  # then divided by
    fill: int  # letterbox padding, 0..255
    centred: bool  # letterbox centred, or in the top-left corner


INPUTS: dict[str, InputSpec] = {
    # NanoDet: BGR, ImageNet mean/std in 0..255, centred warp with black borders
    "nanodet": InputSpec("bgr", (103.53, 116.28, 123.675), (57.375, 57.12, 58.395), 0, True),
    # YOLOX (since 0.1.1, not "legacy"): OpenCV's BGR image, 0..255, top-left, grey 114
    "yolox": InputSpec("bgr", (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), 114, False),
    # Ultralytics YOLOv5 / YOLOv8: RGB / 255, centred letterbox, grey 114
    "yolov5": InputSpec("rgb", (0.0, 0.0, 0.0), (255.0, 255.0, 255.0), 114, True),
    "yolov8": InputSpec("rgb", (0.0, 0.0, 0.0), (255.0, 255.0, 255.0), 114, True),
}


@dataclass(frozen=True)
class RawDetection:
    """One detection in the model's own classes: a continuous image box ``x0, y0, x1, y1``."""

    cls: int
    name: str
    box: tuple[float, float, float, float]
    score: float

    @property
    def pixel_box(self) -> tuple[float, float, float, float]:
        """The box as simgen's labels write one: ``u0, v0, u1, v1`` with corners at pixel
        centres (the last pixel covered, not one past it)."""
        x0, y0, x1, y1 = self.box
        return x0, y0, x1 - 1.0, y1 - 1.0


def simgen_class(name: str) -> str | None:
    """The simgen semantic class a detector's class name is (through the one class table),
    or None when simgen has no such object class."""
    from simgen.core.classes import BY_NAME

    name = ALIASES.get(name, name)
    found = BY_NAME.get(name)
    return found.name if found is not None and found.kitti is not None else None


def default_class_map(names: tuple[str, ...]) -> dict[str, str]:
    """Detector class name -> the type eval scores it as (the class table's KITTI type)."""
    from simgen.core.classes import BY_NAME

    out = {}
    for name in names:
        cls = simgen_class(name)
        if cls is not None:
            out[name] = BY_NAME[cls].kitti or ""
    return out


def parse_class_map(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """``car:Car,person:Pedestrian`` -> a mapping; the names must be the detector's."""
    out = {}
    for item in text.split(","):
        name, sep, kind = item.partition(":")
        name, kind = name.strip(), kind.strip()
        if not sep or not name or not kind:
            raise ModelLoadError(f"onnx model: classes item {item!r}: expected NAME:TYPE")
        if name not in names:
            raise ModelLoadError(f"onnx model: classes: the detector has no class {name!r}")
        out[name] = kind
    return out


def _input_size(value: int | str | None, shape: list) -> tuple[int, int]:
    """(width, height) from ``input=416`` or ``input=640x384``, else the model's fixed shape."""
    if value is None:
        if len(shape) == 4 and all(isinstance(d, int) and d > 0 for d in shape[2:]):
            return int(shape[3]), int(shape[2])
        raise ModelLoadError(
            f"onnx model: its input shape {shape} is not fixed; give input=SIZE or WIDTHxHEIGHT"
        )
    text = str(value).lower()
    width, _, height = text.partition("x")
    try:
        size = (int(width), int(height or width))
    except ValueError:
        raise ModelLoadError(f"onnx model: input={value!r}: expected SIZE or WxH") from None
    if min(size) <= 0:
        raise ModelLoadError(f"onnx model: input={value!r}: sizes must be positive")
    return size


class OnnxDetector:
    """An ONNX 2D detector on RGB images: ``detect(rgb)`` -> detections in its own classes."""

    def __init__(
        self,
        path: str | Path,
        layout: str = "nanodet",
        score: float = 0.3,
        nms_iou: float = 0.5,
        input_size: int | str | None = None,
        names: tuple[str, ...] = COCO_NAMES,
        decoded: bool = False,
        channels: str | None = None,
        threads: int = 1,
        top_k: int = 1000,
    ) -> None:
        if layout not in LAYOUTS:
            raise ModelLoadError(f"onnx model: unknown layout {layout!r}; use one of {LAYOUTS}")
        if channels not in (None, "rgb", "bgr"):
            raise ModelLoadError(f"onnx model: channels={channels!r}: expected rgb or bgr")
        try:
            import onnxruntime as ort
        except ImportError:
            raise ModelLoadError(
                "the onnx model needs onnxruntime: pip install 'simgen[onnx]'"
            ) from None
        path = Path(path)
        if not path.is_file():
            raise ModelLoadError(f"onnx model: no file {path}")
        options = ort.SessionOptions()
        options.log_severity_level = 3  # exporters' harmless initializer warnings are noise
        options.intra_op_num_threads = threads  # one thread: byte-identical scores every run
        options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors on bad files
            raise ModelLoadError(f"onnx model: cannot load {path}: {exc}") from None
        inputs = self.session.get_inputs()
        self.input_name = inputs[0].name
        self.size = _input_size(input_size, list(inputs[0].shape))
        spec = INPUTS[layout]
        if channels is not None and channels != spec.channels:  # the same colours, swapped
            spec = InputSpec(channels, spec.mean[::-1], spec.std[::-1], spec.fill, spec.centred)
        self.spec = spec
        self.layout, self.score, self.nms_iou = layout, score, nms_iou
        self.names, self.decoded, self.top_k = names, decoded, top_k

    def tensor(self, rgb: np.ndarray) -> tuple[np.ndarray, Letterbox]:
        """The input tensor (1, 3, H, W) float32 for an RGB uint8 image, and its letterbox."""
        spec = self.spec
        image = rgb[:, :, ::-1] if spec.channels == "bgr" else rgb
        boxed, where = letterbox(np.ascontiguousarray(image), self.size, spec.fill, spec.centred)
        mean = np.asarray(spec.mean, np.float32)
        std = np.asarray(spec.std, np.float32)
        x = (boxed.astype(np.float32) - mean) / std
        return np.ascontiguousarray(x.transpose(2, 0, 1)[None]), where

    def detect(self, rgb: np.ndarray) -> list[RawDetection]:
        """Detections at ``score`` or better after per-class NMS, best first."""
        x, where = self.tensor(rgb)
        outputs = self.session.run(None, {self.input_name: x})
        try:
            if self.layout == "nanodet":
                boxes, scores = decode_nanodet(outputs, self.size)
            else:
                boxes, scores = decode_yolo(outputs[0], self.layout, self.size, self.decoded)
        except DecodingError as exc:
            raise ModelLoadError(f"onnx model: {exc}") from None
        if scores.shape[1] != len(self.names):
            raise ModelLoadError(
                f"onnx model: {scores.shape[1]} classes out, {len(self.names)} names; "
                "give names=FILE (one class name a line)"
            )
        found = nms(candidates(boxes, scores, self.score, self.top_k), self.nms_iou)
        found = Candidates(where.to_image(found.boxes), found.scores, found.classes)
        found = clip_to_image(found, rgb.shape[1], rgb.shape[0])
        return [
            RawDetection(int(c), self.names[int(c)], tuple(float(v) for v in b), float(s))  # type: ignore[arg-type]
            for b, s, c in zip(found.boxes, found.scores, found.classes, strict=True)
        ]


def _names(path: str | None) -> tuple[str, ...]:
    if path is None:
        return COCO_NAMES
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise ModelLoadError(f"onnx model: cannot read names file {path}: {exc}") from None
    return tuple(line.strip() for line in lines if line.strip())


def onnx_detector(
    path: str,
    layout: str = "nanodet",
    score: float = 0.3,
    nms: float = 0.5,
    input: int | str | None = None,
    classes: str | None = None,
    names: str | None = None,
    decoded: bool = False,
    channels: str | None = None,
    threads: int = 1,
    top_k: int = 1000,
) -> Callable[[FrameInput], Predictions]:
    """2D boxes of the ONNX detector at ``path`` on the first camera's RGB (the model ``onnx``).

    ``layout`` nanodet, yolox, yolov5 or yolov8; ``score`` and ``nms`` thresholds; ``input``
    overrides the input size; ``names`` a file of class names (COCO's 80 by default);
    ``classes`` NAME:TYPE,... replaces the class mapping; ``decoded`` (yolox) says the export
    decoded its grid; ``channels`` rgb|bgr overrides the layout's order."""
    class_names = _names(names)
    detector = OnnxDetector(
        path, layout, score, nms, input, class_names, decoded, channels, threads, top_k
    )
    mapping = parse_class_map(classes, class_names) if classes else default_class_map(class_names)

    def predict(inp: FrameInput) -> Predictions:
        if inp.camera is None:
            return Predictions()
        out = [
            Detection2D(mapping[d.name], d.pixel_box, d.score)
            for d in detector.detect(inp.frame.rgb(inp.camera))
            if d.name in mapping
        ]
        return Predictions(boxes_2d=out)

    predict.outputs = frozenset({"2d"})  # type: ignore[attr-defined]
    predict.detector = detector  # type: ignore[attr-defined]
    return predict
