{
  "targets": [
    {
      "target_name": "rxfuse",
      "sources": [
        "src-native/addon.cc",
        "src-native/session.cc",
        "src-native/receive_loop.cc",
        "src-native/spin_policy.cc",
        "src-native/decoders.cc",
        "src-native/replies.cc", "src-native/direct_calls.cc",
        "src-native/raw_ops.cc",
        "src-native/notify.cc",
        "src-native/passthrough.cc",
        "src-native/ladder.cc", "src-native/ladder_fs.cc",
        "src-native/sys.cc", "src-native/sys_args.cc", "src-native/sys_fds.cc", "src-native/sys_meta.cc",
        "src-native/sys_names.cc", "src-native/sys_data.cc", "src-native/sys_xattr.cc", "src-native/sys_creds.cc",
        "src-native/sys_memory.cc",
        "src-native/mount_log.cc",
        "src-native/mountinfo.cc",
        "src-native/watcher.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I fuse3 | sed 's/-I//g')"
      ],
      "libraries": ["<!@(pkg-config --libs fuse3)"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-O2"],
      "cflags": ["-Wall", "-Wextra", "-Werror"]
    },
    {
      "target_name": "rxfuse-watch",
      "type": "executable",
      "sources": ["src-native/unmount_watcher.cc", "src-native/mountinfo.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-O2"]
    }
  ]
}
