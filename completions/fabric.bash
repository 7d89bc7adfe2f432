# bash completion for fabric(1) and every fabric-* tool.                    -*- shell-script -*-
#
# One file for all of them: install it as bash-completion/completions/fabric with a link named
# after each tool (make install does), or source it from ~/.bashrc.
#
# It completes groups, commands and options (the wrapper's in the specification's spelling,
# --number_machines, and in the dashed one, --number-machines), provider ids and machine uuids
# from the state store (read with fabric-store, parsed without jq), files, kinds and the keys of
# --image, --flavor and --extra. Tests (Tests/FabricTests/DocumentationTests.swift) check that
# every option of every tool and of `fabric help` is here.

# --- reading the store ---------------------------------------------------------------------

# Prints the value of a string field of each JSON line on stdin, one per line. The lines are
# fabric's own compact output, so the field looks like "name":"value"; \" and \\ are decoded.
_fabric_json_field() { # field
  local line rest value char i
  while IFS= read -r line; do
    [[ $line == *"\"$1\":\""* ]] || continue
    rest=${line#*"\"$1\":\""}
    value=
    for ((i = 0; i < ${#rest}; i++)); do
      char=${rest:i:1}
      if [[ $char == "\\" ]]; then
        ((i++))
        value+=${rest:i:1}
      elif [[ $char == '"' ]]; then
        break
      else
        value+=$char
      fi
    done
    printf '%s\n' "$value"
  done
}

# Runs fabric-store (from PATH, or through the wrapper, which finds the tools next to itself)
# with the --store the command line names, if any, when that store exists; errors are silenced.
_fabric_store() { # args...
  local store=() i
  for ((i = 1; i < ${#_fabric_words[@]}; i++)); do
    case ${_fabric_words[i]} in
      --store) store=(--store "${_fabric_words[i + 1]}") ;;
      --store=*) store=(--store "${_fabric_words[i]#--store=}") ;;
    esac
  done
  local -a store_tool
  if command -v fabric-store > /dev/null 2>&1; then store_tool=(fabric-store)
  elif command -v fabric > /dev/null 2>&1; then store_tool=(fabric store)
  else return; fi
  # Never create a store by pressing TAB: only read one that exists.
  local store_path
  store_path=$("${store_tool[@]}" path "${store[@]}" 2> /dev/null) && [[ -f $store_path ]] || return
  "${store_tool[@]}" "$1" "${store[@]}" "${@:2}" 2> /dev/null
}

_fabric_provider_ids() { _fabric_store list providers | _fabric_json_field provider_id; }

_fabric_machine_uuids() { # [provider]
  if [[ -n ${1:-} ]]; then
    _fabric_store list machines -p "$1" | _fabric_json_field uuid
  else
    _fabric_store list machines | _fabric_json_field uuid
  fi
}

_fabric_group_names() { # provider
  _fabric_store list machines -p "$1" | _fabric_json_field group | sort -u
}

# The jobs of the store on the line (or the default one), when it exists.
_fabric_job_ids() {
  local store=() i
  for ((i = 1; i < ${#_fabric_words[@]}; i++)); do
    case ${_fabric_words[i]} in
      --store) store=(--store "${_fabric_words[i + 1]}") ;;
      --store=*) store=(--store "${_fabric_words[i]#--store=}") ;;
    esac
  done
  _fabric_store path > /dev/null || return
  command -v fabric-job > /dev/null 2>&1 || return
  fabric-job list "${store[@]}" 2> /dev/null | grep -o '"job":[0-9]*' | cut -d: -f2
}

_fabric_snapshot_ids() { # provider
  _fabric_store list snapshots -p "$1" | _fabric_json_field id
}

# The value of -p/--provider (or, for the wrapper, the first positional) on the line.
_fabric_given_provider() {
  local i
  for ((i = 1; i < ${#_fabric_words[@]}; i++)); do
    case ${_fabric_words[i]} in
      -p | --provider) printf '%s' "${_fabric_words[i + 1]}"; return ;;
      --provider=*) printf '%s' "${_fabric_words[i]#--provider=}"; return ;;
    esac
  done
}

# --- adding candidates ---------------------------------------------------------------------

_fabric_add() { # words...: the candidates that start with $cur
  local word
  for word in "$@"; do
    [[ $word == "$cur"* ]] && COMPREPLY+=("$word")
  done
}

_fabric_add_lines() { # reads candidates from stdin, one per line
  local word
  while IFS= read -r word; do
    [[ -n $word && $word == "$cur"* ]] && COMPREPLY+=("$word")
  done
}

_fabric_add_files() {
  local file
  compopt -o filenames 2> /dev/null
  while IFS= read -r file; do COMPREPLY+=("$file"); done < <(compgen -f -- "$cur")
}

# key= candidates (no space after them) until a key is typed, then nothing: values are free.
_fabric_add_keys() { # keys...
  [[ $cur == *=* ]] && return
  compopt -o nospace 2> /dev/null
  local key
  for key in "$@"; do _fabric_add "$key="; done
}

# _fabric_image_keys, _fabric_flavor_keys, _fabric_null_extra_keys and _fabric_provider_types
# are in the generated block below.
_fabric_machine_fields=(uuid name status av_zone group provider_id created)
_fabric_kinds=(machines providers snapshots machine provider snapshot)

# Completes the value of option $1 (spelled either way); returns 1 if it takes no value.
_fabric_value() { # option
  local option=${1//_/-}
  case $option in
    -p | --provider | --provider-id) _fabric_add_lines < <(_fabric_provider_ids) ;;
    --store | --store-password-file | --userdata | --password-file | --files | --file | --mysql-password-file) _fabric_add_files ;;
    --until | --ready) _fabric_add active address cloud-init mysql ;;
    --address) _fabric_add auto public private ;;
    --type | --provider-type) _fabric_add "${_fabric_provider_types[@]}" ;;
    --password-env)
      local name
      while IFS= read -r name; do COMPREPLY+=("$name"); done < <(compgen -e -- "$cur") ;;
    --image) _fabric_add_keys "${_fabric_image_keys[@]}" ;;
    --flavor) _fabric_add_keys "${_fabric_flavor_keys[@]}" ;;
    --extra) _fabric_add_keys "${_fabric_null_extra_keys[@]}" ;;
    --where) _fabric_add_keys "${_fabric_machine_fields[@]}" ;;
    --meta | --scheduler-hints) _fabric_add_keys ;;
    --private-nics | --public-nics) _fabric_add_keys net-id port-id ;;
    --machine | --uuid) _fabric_add_lines < <(_fabric_machine_uuids "$(_fabric_given_provider)") ;;
    --status) _fabric_add BUILD ACTIVE ERROR saving active killed ;;
    --security-groups) _fabric_add default mysql ssh ;;
    --columns) compopt -o nospace 2> /dev/null
      _fabric_add uuid name status av_zone addresses public_addresses group batch protected provider_id created \
        image.name flavor.name id machine_uuid type url tenant username ;;
    --number | --number-machines | --to | --batch | --wait | --lease | --availability-zone | --key-name | --private-network | \
      --public-network | --swap | --block-device | --group | --name | --timeout | --interval | \
      --max-interval | --network | --username | --url | --tenant | --default-image | \
      --default-flavor | --mysql-user | --fail-pattern | --stage-timeout | --connect-timeout) ;;
    *) return 1 ;;
  esac
  return 0
}

# --- the engine ----------------------------------------------------------------------------

# Completes one command whose options are $opts (those taking a value also in $valued) and
# whose positional arguments are completed by the function $positional (given the 1-based
# index of the argument and the arguments so far). Words are _fabric_words[$start..cword].
_fabric_complete_args() { # start
  local i word expect_value=0 done_options=0
  local -a args=()
  for ((i = $1; i < cword; i++)); do
    word=${_fabric_words[i]}
    if ((expect_value)); then expect_value=0; continue; fi
    if ((!done_options)); then
      case $word in
        --) done_options=1; continue ;;
        -*=*) continue ;;
        -*) [[ " $valued " == *" $word "* ]] && expect_value=1; continue ;;
      esac
    fi
    args+=("$word")
  done
  if ((expect_value)); then
    _fabric_value "$prev"
    return
  fi
  if ((!done_options)) && [[ $cur == -*=* ]]; then
    local option=${cur%%=*}
    cur=${cur#*=}
    _fabric_value "$option"
    return
  fi
  if ((!done_options)) && [[ $cur == -* ]]; then
    # shellcheck disable=SC2086 # the option lists are words
    _fabric_add $opts
    return
  fi
  [[ -n $positional ]] && "$positional" $((${#args[@]} + 1)) "${args[@]}"
}

# --- the tools -----------------------------------------------------------------------------


_fabric_no_positional() { :; }
_fabric_uuid_positional() { _fabric_add_lines < <(_fabric_machine_uuids "$(_fabric_given_provider)"); }

_fabric_store_kind_positional() { # index args...
  local index=$1 kind=${2:-}
  if ((index == 1)); then
    case $sub in
      list) _fabric_add machines providers snapshots ;;
      *) _fabric_add machine provider snapshot ;;
    esac
    return
  fi
  case $kind in
    provider | providers) ((index == 2)) && _fabric_add_lines < <(_fabric_provider_ids) ;;
    machine | machines) _fabric_add_lines < <(_fabric_machine_uuids "$(_fabric_given_provider)") ;;
    snapshot | snapshots)
      local provider
      provider=$(_fabric_given_provider)
      [[ -n $provider ]] && _fabric_add_lines < <(_fabric_snapshot_ids "$provider") ;;
  esac
}

# Completes the tool $1 on _fabric_words[$2..cword] (index $2 is the first argument).
_fabric_tool() { # tool start
  local tool=$1 start=$2 opts='' valued='' positional=_fabric_no_positional sub='' subs='' i
  # What each tool (and subcommand) takes: _fabric_tool_options, generated from the tools.
  _fabric_tool_options "$tool"
  if [[ -z $opts && -z $subs ]]; then
    # A fabric-* program that is not ours: files, as bash would do without us.
    _fabric_add_files
    return
  fi
  if [[ -n $subs ]]; then
    for ((i = start; i < cword; i++)); do
      if [[ " $subs " == *" ${_fabric_words[i]} "* ]]; then sub=${_fabric_words[i]}; start=$((i + 1)); break; fi
    done
    if [[ -z $sub ]]; then
      if [[ $cur == -* ]]; then _fabric_add --version -h --help
      else
        # shellcheck disable=SC2086
        _fabric_add $subs
      fi
      return
    fi
    if [[ $sub == help ]]; then
      # shellcheck disable=SC2086
      _fabric_add $subs
      return
    fi
    _fabric_tool_options "$tool/$sub"
  fi
  case $tool/$sub in
    fabric-destroy/ | fabric-store/protect | fabric-snapshot/create | fabric-snapshot/destroy) positional=_fabric_uuid_positional ;;
    fabric-store/list | fabric-store/get | fabric-store/remove) positional=_fabric_store_kind_positional ;;
  esac
  _fabric_complete_args "$start"
}

# --- the wrapper ---------------------------------------------------------------------------

# --- generated by completions/regenerate from fabric __commands and the tools: do not edit ---
_fabric_wrapper_groups='provider machine snapshot job'
_fabric_image_keys=(name id min_disk min_ram mindisk minram status visibility image_type os_distro os_version mysql_version fabric_machine_uuid)
_fabric_flavor_keys=(name id vcpus ram disk swap ephemeral rxtx_factor)
_fabric_null_extra_keys=(region interface user_domain project_domain auth_type cacert insecure timeout connect_timeout compute_microversion delete_timeout network config_drive ready catalog_ttl image_owners snapshot_reboot max_attempts build_seconds snapshot_seconds latency_ms fail_create fail_machine fail_snapshot fail_public_address fail_destroy availability_zones hosts server_group_members spread_race quota cloud_init_seconds fail_cloud_init service_seconds address_pool execute_userdata machines_dir)
_fabric_provider_types=(OPENSTACK openstack AMAZON amazon ec2 NULLPROVIDER null)

_fabric_wrapper_commands() { # group
  case $1 in
    provider) _fabric_add register unregister list ;;
    machine) _fabric_add create destroy wait list scale refresh protect unprotect ;;
    snapshot) _fabric_add create destroy ;;
    job) _fabric_add list show wait cancel ;;
  esac
}

# The options of each command as help spells them (0) and dashed (1).
_fabric_wrapper_options() { # group/command dashed(0|1)
  case $1/$2 in
    provider/register/0) printf '%s ' --provider_type --default_image --default_flavor --extra --password-file --password-stdin --password-env --from-env --store --store_password_file --json --table --synchronous ;;
    provider/register/1) printf '%s ' --provider-type --default-image --default-flavor --extra --password-file --password-stdin --password-env --from-env --store --store-password-file --json --table --synchronous ;;
    provider/unregister/0) printf '%s ' --force --store --store_password_file --json --table --synchronous ;;
    provider/unregister/1) printf '%s ' --force --store --store-password-file --json --table --synchronous ;;
    provider/list/0) printf '%s ' --provider_id --store --store_password_file --json --table --synchronous ;;
    provider/list/1) printf '%s ' --provider-id --store --store-password-file --json --table --synchronous ;;
    machine/create/0) printf '%s ' --image --flavor --availability_zone --spread --max_per_host --availability_zones --key_name --security_groups --private_network --public_network --userdata --swap --block_device --scheduler_hints --private_nics --public_nics --meta --files --file --config_drive --wait_spawning --ready --address --mysql_user --mysql_password_file --mysql_tls --on_ready --before_destroy --hook_timeout --timeout --number_machines --group --skip_store --dry_run --check --events --store --store_password_file --json --table --synchronous ;;
    machine/create/1) printf '%s ' --image --flavor --availability-zone --spread --max-per-host --availability-zones --key-name --security-groups --private-network --public-network --userdata --swap --block-device --scheduler-hints --private-nics --public-nics --meta --files --file --config-drive --wait-spawning --ready --address --mysql-user --mysql-password-file --mysql-tls --on-ready --before-destroy --hook-timeout --timeout --number-machines --group --skip-store --dry-run --check --events --store --store-password-file --json --table --synchronous ;;
    machine/destroy/0) printf '%s ' --force --skip_store --events --store --store_password_file --json --table --synchronous ;;
    machine/destroy/1) printf '%s ' --force --skip-store --events --store --store-password-file --json --table --synchronous ;;
    machine/wait/0) printf '%s ' --until --address --mysql_user --mysql_password_file --mysql_tls --timeout --skip_store --events --store --store_password_file --json --table --synchronous ;;
    machine/wait/1) printf '%s ' --until --address --mysql-user --mysql-password-file --mysql-tls --timeout --skip-store --events --store --store-password-file --json --table --synchronous ;;
    machine/list/0) printf '%s ' --skip_store --group --refresh --store --store_password_file --json --table --synchronous ;;
    machine/list/1) printf '%s ' --skip-store --group --refresh --store --store-password-file --json --table --synchronous ;;
    machine/scale/0) printf '%s ' --to --newest_first --replace_failed --image --flavor --availability_zone --spread --max_per_host --availability_zones --key_name --security_groups --private_network --public_network --userdata --swap --block_device --scheduler_hints --private_nics --public_nics --meta --files --file --config_drive --wait_spawning --ready --address --mysql_user --mysql_password_file --mysql_tls --on_ready --before_destroy --hook_timeout --timeout --events --store --store_password_file --json --table --synchronous ;;
    machine/scale/1) printf '%s ' --to --newest-first --replace-failed --image --flavor --availability-zone --spread --max-per-host --availability-zones --key-name --security-groups --private-network --public-network --userdata --swap --block-device --scheduler-hints --private-nics --public-nics --meta --files --file --config-drive --wait-spawning --ready --address --mysql-user --mysql-password-file --mysql-tls --on-ready --before-destroy --hook-timeout --timeout --events --store --store-password-file --json --table --synchronous ;;
    machine/refresh/0) printf '%s ' --surge --switchover --pause_after --image --flavor --availability_zone --spread --max_per_host --availability_zones --key_name --security_groups --private_network --public_network --userdata --swap --block_device --scheduler_hints --private_nics --public_nics --meta --files --file --config_drive --wait_spawning --ready --address --mysql_user --mysql_password_file --mysql_tls --on_ready --before_destroy --hook_timeout --timeout --events --store --store_password_file --json --table --synchronous ;;
    machine/refresh/1) printf '%s ' --surge --switchover --pause-after --image --flavor --availability-zone --spread --max-per-host --availability-zones --key-name --security-groups --private-network --public-network --userdata --swap --block-device --scheduler-hints --private-nics --public-nics --meta --files --file --config-drive --wait-spawning --ready --address --mysql-user --mysql-password-file --mysql-tls --on-ready --before-destroy --hook-timeout --timeout --events --store --store-password-file --json --table --synchronous ;;
    machine/protect/0) printf '%s ' --store --store_password_file --json --table --synchronous ;;
    machine/protect/1) printf '%s ' --store --store-password-file --json --table --synchronous ;;
    machine/unprotect/0) printf '%s ' --store --store_password_file --json --table --synchronous ;;
    machine/unprotect/1) printf '%s ' --store --store-password-file --json --table --synchronous ;;
    snapshot/create/0) printf '%s ' --wait_spawning --timeout --skip_store --name --store --store_password_file --json --table --synchronous ;;
    snapshot/create/1) printf '%s ' --wait-spawning --timeout --skip-store --name --store --store-password-file --json --table --synchronous ;;
    snapshot/destroy/0) printf '%s ' --skip_store --force --store --store_password_file --json --table --synchronous ;;
    snapshot/destroy/1) printf '%s ' --skip-store --force --store --store-password-file --json --table --synchronous ;;
    job/list/0) printf '%s ' --state --store --store_password_file --json --table --synchronous ;;
    job/list/1) printf '%s ' --state --store --store-password-file --json --table --synchronous ;;
    job/show/0) printf '%s ' --store --store_password_file --json --table --synchronous ;;
    job/show/1) printf '%s ' --store --store-password-file --json --table --synchronous ;;
    job/wait/0) printf '%s ' --timeout --store --store_password_file --json --table --synchronous ;;
    job/wait/1) printf '%s ' --timeout --store --store-password-file --json --table --synchronous ;;
    job/cancel/0) printf '%s ' --timeout --store --store_password_file --json --table --synchronous ;;
    job/cancel/1) printf '%s ' --timeout --store --store-password-file --json --table --synchronous ;;
  esac
}

# The options that take a value, in both spellings.
_fabric_wrapper_valued='--address --availability-zone --availability-zones --availability_zone --availability_zones --before-destroy --before_destroy --block-device --block_device --default-flavor --default-image --default_flavor --default_image --events --extra --file --files --flavor --group --hook-timeout --hook_timeout --image --key-name --key_name --max-per-host --max_per_host --meta --mysql-password-file --mysql-user --mysql_password_file --mysql_user --name --number-machines --number_machines --on-ready --on_ready --password-env --password-file --password_env --password_file --pause-after --pause_after --private-network --private-nics --private_network --private_nics --provider-id --provider-type --provider_id --provider_type --public-network --public-nics --public_network --public_nics --ready --scheduler-hints --scheduler_hints --security-groups --security_groups --spread --state --store --store-password-file --store_password_file --surge --swap --switchover --synchronous --timeout --to --until --userdata'

_fabric_wrapper_positional() { # index args...
  case $group/$command/$1 in
    provider/unregister/1 | machine/create/1 | machine/destroy/1 | machine/wait/1 | machine/list/1 | machine/scale/1 | machine/refresh/1 | machine/protect/1 | machine/unprotect/1 | snapshot/create/1 | snapshot/destroy/1) _fabric_add_lines < <(_fabric_provider_ids) ;;
    machine/destroy/* | machine/wait/* | machine/protect/* | machine/unprotect/* | snapshot/create/2 | snapshot/destroy/2) _fabric_add_lines < <(_fabric_machine_uuids "$2") ;;
    machine/scale/2 | machine/refresh/2) _fabric_add_lines < <(_fabric_group_names "$2") ;;
    job/show/1 | job/wait/1 | job/cancel/1) _fabric_add_lines < <(_fabric_job_ids) ;;
  esac
}

# What each tool takes: subs (its subcommands), or opts and valued (its options, and those that take a value).
_fabric_tool_options() { # tool[/subcommand]
  case $1 in
    fabric-find-image) opts='-p --provider --store --store-password-file --image --all --check --version -h --help' valued='-p --provider --store --store-password-file --image' ;;
    fabric-find-flavor) opts='-p --provider --store --store-password-file -n --null-input --flavor --all --check --version -h --help' valued='-p --provider --store --store-password-file --flavor' ;;
    fabric-boot) opts='-p --provider --store --store-password-file -n --null-input --number --availability-zone --spread --max-per-host --availability-zones --key-name --security-groups --private-network --public-network --userdata --swap --block-device --scheduler-hints --private-nics --public-nics --meta --files --file --config-drive --group --batch --name --dry-run --events --check --version -h --help' valued='-p --provider --store --store-password-file --number --availability-zone --spread --max-per-host --availability-zones --key-name --security-groups --private-network --public-network --userdata --swap --block-device --scheduler-hints --private-nics --public-nics --meta --files --file --group --batch --name --events' ;;
    fabric-wait) opts='-p --provider --store --store-password-file --timeout --interval --max-interval --until --address --mysql-user --mysql-password-file --mysql-tls --fail-pattern --stage-timeout --connect-timeout --on-ready --hook-timeout --events --no-progress --check --again --version -h --help' valued='-p --provider --store --store-password-file --timeout --interval --max-interval --until --address --mysql-user --mysql-password-file --fail-pattern --stage-timeout --connect-timeout --on-ready --hook-timeout --events' ;;
    fabric-public-address) opts='-p --provider --store --store-password-file --network --timeout --version -h --help' valued='-p --provider --store --store-password-file --network --timeout' ;;
    fabric-store) subs='register add list get remove export import path check group protect lock help' ;;
    fabric-store/register) opts='--store --store-password-file --password-file --type --username --url --tenant --from-env --default-image --default-flavor --extra --check --version -h --help' valued='--store --store-password-file --password-file --type --username --url --tenant --default-image --default-flavor --extra' ;;
    fabric-store/add) opts='--store --store-password-file --password-file --version -h --help' valued='--store --store-password-file --password-file' ;;
    fabric-store/list) opts='--store --store-password-file -p --provider --uuid --group --batch --status --machine --version -h --help' valued='--store --store-password-file -p --provider --uuid --group --batch --status --machine' ;;
    fabric-store/get) opts='--store --store-password-file -p --provider --version -h --help' valued='--store --store-password-file -p --provider' ;;
    fabric-store/remove) opts='--store --store-password-file -p --provider --group --batch --version -h --help' valued='--store --store-password-file -p --provider --group --batch' ;;
    fabric-store/export) opts='--store --store-password-file --with-secrets --version -h --help' valued='--store --store-password-file' ;;
    fabric-store/import) opts='--store --store-password-file --version -h --help' valued='--store --store-password-file' ;;
    fabric-store/path) opts='--store --store-password-file --version -h --help' valued='--store --store-password-file' ;;
    fabric-store/check) opts='--store --store-password-file --version -h --help' valued='--store --store-password-file' ;;
    fabric-store/group) opts='--store --store-password-file -p --provider --save --print0 --version -h --help' valued='--store --store-password-file -p --provider' ;;
    fabric-store/protect) opts='--store --store-password-file -p --provider --off --version -h --help' valued='--store --store-password-file -p --provider' ;;
    fabric-store/lock) opts='--store --store-password-file --wait --lease --version -h --help' valued='--store --store-password-file --wait --lease' ;;
    fabric-snapshot) subs='create destroy help' ;;
    fabric-snapshot/create) opts='-p --provider --store --store-password-file --name --wait --timeout --version -h --help' valued='-p --provider --store --store-password-file --name --timeout' ;;
    fabric-snapshot/destroy) opts='-p --provider --store --store-password-file --force --version -h --help' valued='-p --provider --store --store-password-file' ;;
    fabric-destroy) opts='-p --provider --store --store-password-file --force --before-destroy --hook-timeout --events --mysql-user --mysql-password-file --mysql-tls --mysql-port --address --version -h --help' valued='-p --provider --store --store-password-file --before-destroy --hook-timeout --events --mysql-user --mysql-password-file --mysql-port --address' ;;
    fabric-list-machines) opts='-p --provider --store --store-password-file --where --meta --group --refresh --mysql-user --mysql-password-file --mysql-tls --mysql-port --address --version -h --help' valued='-p --provider --store --store-password-file --where --meta --group --mysql-user --mysql-password-file --mysql-port --address' ;;
    fabric-scale) opts='-p --provider --store --store-password-file --group --to --newest-first --replace-failed --mysql-user --mysql-password-file --mysql-tls --mysql-port --address --check --version -h --help' valued='-p --provider --store --store-password-file --group --to --mysql-user --mysql-password-file --mysql-port --address' ;;
    fabric-table) opts='--columns --no-header --version -h --help' valued='--columns' ;;
    fabric-job) subs='start supervise list show wait cancel help' ;;
    fabric-job/start) opts='--store --store-password-file --command --version -h --help' valued='--store --store-password-file --command' ;;
    fabric-job/supervise) opts='--store --store-password-file --version -h --help' valued='--store --store-password-file' ;;
    fabric-job/list) opts='--store --store-password-file --state --version -h --help' valued='--store --store-password-file --state' ;;
    fabric-job/show) opts='--store --store-password-file --output --stderr --version -h --help' valued='--store --store-password-file' ;;
    fabric-job/wait) opts='--store --store-password-file --timeout --version -h --help' valued='--store --store-password-file --timeout' ;;
    fabric-job/cancel) opts='--store --store-password-file --timeout --version -h --help' valued='--store --store-password-file --timeout' ;;
  esac
}
# --- end of generated ---

_fabric_wrapper() {
  local i=1 group command
  # Leading --json/--table belong to the wrapper.
  while ((i < cword)) && [[ ${_fabric_words[i]} == --json || ${_fabric_words[i]} == --table || ${_fabric_words[i]} == --verbose ]]; do ((i++)); done
  if ((i == cword)); then
    if [[ $cur == -* ]]; then
      _fabric_add --json --table --verbose --help --version
    else
      # shellcheck disable=SC2086 # the groups are words
      _fabric_add $_fabric_wrapper_groups help version
      local name
      while IFS= read -r name; do
        [[ $name == fabric-* ]] && _fabric_add "${name#fabric-}"
      done < <(compgen -c fabric- | sort -u)
    fi
    return
  fi
  group=${_fabric_words[i]}
  case $group in
    help | version | -*) return ;;
  esac
  if [[ " $_fabric_wrapper_groups " != *" $group "* ]]; then
    # fabric NAME runs fabric-NAME: complete it as that tool.
    _fabric_tool "fabric-$group" $((i + 1))
    return
  fi
  ((i++))
  if ((i == cword)); then
    _fabric_wrapper_commands "$group"
    return
  fi
  command=${_fabric_words[i]}
  local use_dashed=0 typed=${cur#--}
  [[ $cur == --* && ${typed%%=*} == *-* ]] && use_dashed=1
  local opts valued=$_fabric_wrapper_valued positional=_fabric_wrapper_positional
  opts=$(_fabric_wrapper_options "$group/$command" "$use_dashed")
  _fabric_complete_args $((i + 1))
}

# --- entry point ---------------------------------------------------------------------------

_fabric() {
  local cur prev cword
  local -a _fabric_words
  COMPREPLY=()
  if declare -F _get_comp_words_by_ref > /dev/null; then
    local -a words
    _get_comp_words_by_ref -n =: cur prev words cword
    _fabric_words=("${words[@]}")
  else
    # Without bash-completion, readline has split --opt=value at '=': join the pieces again.
    local i joining=0
    _fabric_words=()
    cword=0
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
      if [[ ${COMP_WORDS[i]} == = && ${#_fabric_words[@]} -gt 0 && ${_fabric_words[-1]} == -* ]]; then
        _fabric_words[-1]+='='
        joining=1
      elif ((joining)); then
        _fabric_words[-1]+=${COMP_WORDS[i]}
        joining=0
      else
        _fabric_words+=("${COMP_WORDS[i]}")
      fi
      ((i == COMP_CWORD)) && cword=$((${#_fabric_words[@]} - 1))
    done
    cur=${_fabric_words[cword]:-}
    prev=${_fabric_words[cword - 1]:-}
  fi
  local tool=${_fabric_words[0]##*/}
  if [[ $tool == fabric ]]; then
    _fabric_wrapper
  else
    _fabric_tool "$tool" 1
  fi
  # Each candidate once (fabric snapshot is a group and fabric-snapshot a tool).
  local -A seen=()
  local -a unique=()
  local word
  for word in "${COMPREPLY[@]}"; do
    [[ -n ${seen[$word]:-} ]] && continue
    seen[$word]=1
    unique+=("$word")
  done
  COMPREPLY=("${unique[@]}")
  # A value with ':' in it: readline replaces only what follows the last ':'.
  if declare -F __ltrim_colon_completions > /dev/null; then __ltrim_colon_completions "$cur"; fi
  return 0
}

complete -F _fabric fabric fabric-find-image fabric-find-flavor fabric-boot fabric-wait \
  fabric-public-address fabric-store fabric-snapshot fabric-destroy fabric-list-machines fabric-scale fabric-table fabric-job
